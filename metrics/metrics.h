// metrics/ in one include: information-theory estimators (entropy, KL, JS, mutual information,
// Gaussian KL, Fréchet distance) and the scores of generators (class coverage, Inception-Score
// analogue, 2-D mode metrics). Everything is in namespace minidl::metrics and accumulates in
// float64.
#pragma once

#include "metrics/distribution.h"
#include "metrics/divergence.h"
#include "metrics/eigh.h"
#include "metrics/evaluator.h"
#include "metrics/frechet.h"
#include "metrics/gaussian.h"
#include "metrics/generator_scores.h"
#include "metrics/histogram.h"
#include "metrics/latent_information.h"
#include "metrics/matching.h"
#include "metrics/mixture2d.h"
#include "metrics/mode_metrics.h"
#include "metrics/mutual_information.h"
#include "metrics/mutual_information_gap.h"
#include "metrics/units.h"
