#include "ember/models/alexnet.h"

#include "ember/nn/conv.h"
#include "ember/nn/fusion.h"
#include "ember/nn/linear.h"
#include "ember/nn/norm.h"
#include "ember/nn/pool.h"

namespace ember::models {
namespace {

std::shared_ptr<nn::Module> lrn() { return std::make_shared<nn::LocalResponseNorm>(5, 1e-4f, 0.75f, 2.0f); }
std::shared_ptr<nn::Module> pool() { return std::make_shared<nn::MaxPool2d>(MaxPool2dOptions(3).stride(2)); }
std::shared_ptr<nn::Module> relu() { return std::make_shared<nn::ReLU>(); }
std::shared_ptr<nn::Module> conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad, int64_t groups) {
  return std::make_shared<nn::Conv2d>(nn::Conv2dOptions(in, out, k).stride(stride).padding(pad).groups(groups));
}

}  // namespace

AlexNet::AlexNet(const AlexNetOptions& o) : Module("AlexNet") {
  EMBER_CHECK(o.in_channels() >= 1 && o.num_classes() >= 1,
              "AlexNet: in_channels {} and num_classes {} must be at least 1", o.in_channels(), o.num_classes());
  EMBER_CHECK(o.dropout() >= 0 && o.dropout() < 1, "AlexNet: dropout {} must be in [0, 1)", o.dropout());
  const int64_t g = o.two_tower() ? 2 : 1;
  auto norm = [&] { return o.lrn() ? lrn() : std::make_shared<nn::Identity>(); };
  features = register_module("features", nn::sequential({
      conv(o.in_channels(), 96, 11, 4, 0, 1), relu(), norm(), pool(),
      conv(96, 256, 5, 1, 2, g), relu(), norm(), pool(),
      conv(256, 384, 3, 1, 1, 1), relu(),
      conv(384, 384, 3, 1, 1, g), relu(),
      conv(384, 256, 3, 1, 1, g), relu(), pool()}));
  classifier = register_module("classifier", nn::sequential({
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Dropout>(o.dropout(), o.generator()),
      std::make_shared<nn::Linear>(256 * 6 * 6, 4096), relu(),
      std::make_shared<nn::Dropout>(o.dropout(), o.generator()), std::make_shared<nn::Linear>(4096, 4096), relu(),
      std::make_shared<nn::Linear>(4096, o.num_classes())}));
  nn::fuse_relu(*this);  // its Conv2d/BatchNorm2d + ReLU pairs, one pass each (nn/fusion.h)
}

Tensor AlexNet::forward(const Tensor& x) {
  EMBER_CHECK(x.dim() == 4 && x.size(2) == 227 && x.size(3) == 227, "AlexNet: expected input [N, C, 227, 227], got {}",
              shape_str(x.shape()));
  return (*classifier)((*features)(x));
}

AlexNetCifar::AlexNetCifar(const AlexNetCifarOptions& o) : Module("AlexNetCifar") {
  EMBER_CHECK(o.in_channels() >= 1 && o.num_classes() >= 1,
              "AlexNetCifar: in_channels {} and num_classes {} must be at least 1", o.in_channels(), o.num_classes());
  EMBER_CHECK(o.dropout() >= 0 && o.dropout() < 1, "AlexNetCifar: dropout {} must be in [0, 1)", o.dropout());
  features = register_module("features", nn::sequential({
      conv(o.in_channels(), 64, 5, 1, 2, 1), relu(), pool(), lrn(),
      conv(64, 64, 5, 1, 2, 1), relu(), lrn(), pool()}));
  classifier = register_module("classifier", nn::sequential({
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(64 * 7 * 7, 384), relu(),
      std::make_shared<nn::Dropout>(o.dropout(), o.generator()), std::make_shared<nn::Linear>(384, 192), relu(),
      std::make_shared<nn::Dropout>(o.dropout(), o.generator()), std::make_shared<nn::Linear>(192, o.num_classes())}));
  nn::fuse_relu(*this);  // its Conv2d/BatchNorm2d + ReLU pairs, one pass each (nn/fusion.h)
}

Tensor AlexNetCifar::forward(const Tensor& x) { return (*classifier)((*features)(x)); }

}  // namespace ember::models
