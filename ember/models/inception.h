#pragma once
// Inception-style block net (GoogLeNet's "Inception (3a)" block without auxiliary heads).
// An InceptionBlock runs four branches on the same input and concatenates them along channels:
//   branch1 = conv1x1(c1), relu
//   branch2 = conv1x1(c3_reduce), relu, conv3x3(c3, p1), relu
//   branch3 = conv1x1(c5_reduce), relu, conv5x5(c5, p2), relu
//   branch4 = maxpool3x3(s1, p1), conv1x1(pool_proj), relu
// -> c1 + c3 + c5 + pool_proj channels, same H, W.
// InceptionNet (CIFAR-sized): features = conv3x3(64, p1), relu, inception(64: 32, 48, 64, 8, 16, 16)
//   -> 128, inception(128: 64, 64, 96, 16, 32, 32) -> 224, maxpool(3, s2, p1),
//   inception(224: 64, 64, 96, 16, 32, 32) -> 224; classifier = AdaptiveAvgPool2d(1), Flatten, fc.
#include <memory>

#include "ember/core/options.h"
#include "ember/models/common.h"
#include "ember/nn/sequential.h"

namespace ember::models {

// Every channel count must be set (the block rejects the zeros left unset):
//   InceptionBlockOptions().in_channels(64).c1(32).c3_reduce(48).c3(64).c5_reduce(8).c5(16).pool_proj(16)
struct InceptionBlockOptions {
  int64_t out_channels() const { return c1_ + c3_ + c5_ + pool_proj_; }
  EMBER_ARG(int64_t, in_channels, 0);
  EMBER_ARG(int64_t, c1, 0);
  EMBER_ARG(int64_t, c3_reduce, 0);
  EMBER_ARG(int64_t, c3, 0);
  EMBER_ARG(int64_t, c5_reduce, 0);
  EMBER_ARG(int64_t, c5, 0);
  EMBER_ARG(int64_t, pool_proj, 0);
};

class InceptionBlock : public nn::Module {
 public:
  explicit InceptionBlock(const InceptionBlockOptions& options);
  Tensor forward(const Tensor& x) override;  // [N, in, H, W] -> [N, out_channels(), H, W]
  std::string extra_repr() const override;
  std::shared_ptr<nn::Sequential> branch1, branch2, branch3, branch4;

 private:
  InceptionBlockOptions options_;
};

struct InceptionNetOptions {
  EMBER_ARG(int64_t, in_channels, 3);
  EMBER_ARG(int64_t, num_classes, 10);
};

class InceptionNet : public nn::Module {
 public:
  explicit InceptionNet(const InceptionNetOptions& options = {});
  Tensor forward(const Tensor& x) override;  // [N, in_channels, H, W] -> [N, num_classes]
  std::shared_ptr<nn::Sequential> features, classifier;
};

}  // namespace ember::models
