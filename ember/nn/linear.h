#pragma once
// Linear: y = x W^T + b, W [out_features, in_features], b [out_features]; PyTorch's default
// initialization (kaiming_uniform with a = sqrt(5), bias uniform in +-1/sqrt(in_features)).
#include "ember/nn/module.h"

namespace ember::nn {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, bool bias = true);
  Tensor forward(const Tensor& x) override;  // x [..., in_features] -> [..., out_features]
  std::string extra_repr() const override;
  int64_t flops(const Shape& input, const Shape& output) const override;

  Tensor weight, bias;  // bias is undefined when constructed with bias = false

 private:
  int64_t in_features_, out_features_;
};

}  // namespace ember::nn
