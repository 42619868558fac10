#pragma once
// The functional API, as torch.nn.functional: ember::F::conv2d(x, w, b, options) and so on.
// The ops live in namespace ember (ember/ops/); F names them for code that reads like PyTorch.
#include "ember/ops/activation.h"
#include "ember/ops/conv.h"
#include "ember/ops/conv1d.h"
#include "ember/ops/conv3d.h"
#include "ember/ops/dropout.h"
#include "ember/ops/linalg.h"
#include "ember/ops/loss.h"
#include "ember/ops/norm.h"
#include "ember/ops/pool.h"
#include "ember/ops/shape.h"

namespace ember::F {

using ember::adaptive_avg_pool2d;
using ember::adaptive_max_pool2d;
using ember::avg_pool2d;
using ember::batch_norm2d;
using ember::conv1d;
using ember::conv2d;
using ember::conv3d;
using ember::conv_transpose2d;
using ember::cross_entropy;
using ember::dropout;
using ember::dropout2d;
using ember::flatten;
using ember::gelu;
using ember::hardswish;
using ember::leaky_relu;
using ember::linear;
using ember::local_response_norm;
using ember::log_softmax;
using ember::max_pool2d;
using ember::mse_loss;
using ember::nll_loss;
using ember::relu;
using ember::sigmoid;
using ember::softmax;
using ember::spatial_pyramid_pool;
using ember::tanh;

}  // namespace ember::F
