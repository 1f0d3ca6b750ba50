// The autograd layer in one include: Variable, the ops, the engine (backward, grad), grad mode and
// anomaly mode, and gradient checking.
#pragma once

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "autograd/gradcheck.h"
#include "autograd/graph.h"
#include "autograd/node.h"
#include "autograd/ops.h"
#include "autograd/variable.h"
