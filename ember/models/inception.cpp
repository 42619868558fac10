#include "ember/models/inception.h"

#include <fmt/format.h>

#include "ember/nn/conv.h"
#include "ember/nn/fusion.h"
#include "ember/nn/linear.h"
#include "ember/nn/pool.h"
#include "ember/ops/shape.h"

namespace ember::models {
namespace {

std::shared_ptr<nn::Module> conv(int64_t in, int64_t out, int64_t k) {
  return std::make_shared<nn::Conv2d>(nn::Conv2dOptions(in, out, k).padding(k / 2));
}
std::shared_ptr<nn::Module> relu() { return std::make_shared<nn::ReLU>(); }

}  // namespace

InceptionBlock::InceptionBlock(const InceptionBlockOptions& o) : Module("InceptionBlock"), options_(o) {
  EMBER_CHECK(o.in_channels() >= 1 && o.c1() >= 1 && o.c3_reduce() >= 1 && o.c3() >= 1 && o.c5_reduce() >= 1 &&
                  o.c5() >= 1 && o.pool_proj() >= 1,
              "InceptionBlock: every channel count must be at least 1, got {}", extra_repr());
  branch1 = register_module("branch1", nn::sequential({conv(o.in_channels(), o.c1(), 1), relu()}));
  branch2 = register_module("branch2", nn::sequential({conv(o.in_channels(), o.c3_reduce(), 1), relu(),
                                                       conv(o.c3_reduce(), o.c3(), 3), relu()}));
  branch3 = register_module("branch3", nn::sequential({conv(o.in_channels(), o.c5_reduce(), 1), relu(),
                                                       conv(o.c5_reduce(), o.c5(), 5), relu()}));
  branch4 = register_module("branch4", nn::sequential({
      std::make_shared<nn::MaxPool2d>(MaxPool2dOptions(3).stride(1).padding(1)),
      conv(o.in_channels(), o.pool_proj(), 1), relu()}));
}

Tensor InceptionBlock::forward(const Tensor& x) {
  return cat({(*branch1)(x), (*branch2)(x), (*branch3)(x), (*branch4)(x)}, 1);
}

std::string InceptionBlock::extra_repr() const {
  const auto& o = options_;
  return fmt::format("in_channels={}, c1={}, c3_reduce={}, c3={}, c5_reduce={}, c5={}, pool_proj={}", o.in_channels(),
                     o.c1(), o.c3_reduce(), o.c3(), o.c5_reduce(), o.c5(), o.pool_proj());
}

InceptionNet::InceptionNet(const InceptionNetOptions& o) : Module("InceptionNet") {
  EMBER_CHECK(o.in_channels() >= 1 && o.num_classes() >= 1,
              "InceptionNet: in_channels {} and num_classes {} must be at least 1", o.in_channels(), o.num_classes());
  using Block = InceptionBlockOptions;
  const auto a = Block().in_channels(64).c1(32).c3_reduce(48).c3(64).c5_reduce(8).c5(16).pool_proj(16);
  const auto b = Block().in_channels(128).c1(64).c3_reduce(64).c3(96).c5_reduce(16).c5(32).pool_proj(32);
  const auto c = Block().in_channels(224).c1(64).c3_reduce(64).c3(96).c5_reduce(16).c5(32).pool_proj(32);
  features = register_module("features", nn::sequential({
      conv(o.in_channels(), 64, 3), relu(), std::make_shared<InceptionBlock>(a), std::make_shared<InceptionBlock>(b),
      std::make_shared<nn::MaxPool2d>(MaxPool2dOptions(3).stride(2).padding(1)),
      std::make_shared<InceptionBlock>(c)}));
  classifier = register_module("classifier", nn::sequential({std::make_shared<nn::AdaptiveAvgPool2d>(1),
                                                              std::make_shared<nn::Flatten>(),
                                                              std::make_shared<nn::Linear>(c.out_channels(),
                                                                                           o.num_classes())}));
  nn::fuse_relu(*this);  // its Conv2d/BatchNorm2d + ReLU pairs, one pass each (nn/fusion.h)
}

Tensor InceptionNet::forward(const Tensor& x) { return (*classifier)((*features)(x)); }

}  // namespace ember::models
