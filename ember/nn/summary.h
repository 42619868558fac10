#pragma once
// summary(model, input_shape): a table like Keras' model.summary() and torchinfo's summary(). It
// runs one forward pass on zeros of input_shape (in eval mode, without recording a graph, restoring
// the modes after), and lists every leaf layer called through Module::operator() in call order
// (seen by a forward hook on every module): its dotted name, type (with "+ReLU" for a layer the
// fusion pass gave its ReLU, nn/fusion.h), output shape, parameter count, forward FLOPs (2 per
// multiply-add of the weights) and Mult-Adds (torchinfo's count: each weight and bias once per
// output position of a convolution, once per sample elsewhere). Then the totals: parameters
// (total, trainable, non-trainable), buffers, FLOPs, Mult-Adds, and torchinfo's sizes in MB of
// 10^6 bytes: the input, the forward pass (every leaf layer's output), the parameters, the buffers
// and their sum, "estimated total size (MB): X" being the last line. Every count is grouped
// "1,234,567". Nothing about the model changes (BatchNorm's running stats included).
#include <string>

#include "ember/nn/module.h"

namespace ember::nn {

std::string summary(Module& model, const Shape& input_shape);

// The forward FLOPs of one pass on input_shape: the total summary() prints ("forward FLOPs"),
// from the same recorded pass (eval mode, no graph, modes restored).
int64_t forward_flops(Module& model, const Shape& input_shape);

// The activations of one pass on input_shape, in elements (same recorded pass as summary()):
// `total`, the input and the outputs of every leaf layer, about what a training step keeps for
// backward; `peak`, the largest input plus output of one leaf layer, about what a pass without a
// graph holds at its busiest.
struct ActivationSize {
  int64_t total = 0, peak = 0;
};
ActivationSize activation_size(Module& model, const Shape& input_shape);

}  // namespace ember::nn
