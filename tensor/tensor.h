// The tensor library in one include: the Tensor handle and every function on it. Knows nothing of
// autograd.
#pragma once

#include "tensor/convolution.h"
#include "tensor/core.h"
#include "tensor/creation.h"
#include "tensor/elementwise.h"
#include "tensor/indexing.h"
#include "tensor/linalg.h"
#include "tensor/fused.h"
#include "tensor/random.h"
#include "tensor/reduce.h"
#include "tensor/threading.h"
