// The nn layer in one include: modules and layers, losses, initialisers, checkpoints
// (safetensors), and the optimizers and schedulers of minidl::optim — plus the layers below it
// (autograd's Variable and ops, the tensor library), so a training program needs only this.
#pragma once

#include "autograd/autograd.h"
#include "nn/activation.h"
#include "nn/checkpoint.h"
#include "nn/conv.h"
#include "nn/dropout.h"
#include "nn/ema.h"
#include "nn/init.h"
#include "nn/linear.h"
#include "nn/loss_modules.h"
#include "nn/losses.h"
#include "nn/module.h"
#include "nn/normalization.h"
#include "nn/optim/adam.h"
#include "nn/optim/clip.h"
#include "nn/optim/optimizer.h"
#include "nn/optim/rmsprop.h"
#include "nn/optim/scheduler.h"
#include "nn/optim/sgd.h"
#include "nn/pooling.h"
#include "nn/reshape.h"
#include "nn/safetensors.h"
#include "nn/sequential.h"
#include "tensor/tensor.h"
