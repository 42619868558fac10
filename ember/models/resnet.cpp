#include "ember/models/resnet.h"

#include "ember/nn/fusion.h"
#include "ember/ops/elementwise.h"

namespace ember::models {

Bottleneck::Bottleneck(int64_t in, int64_t mid, int64_t stride) : Module("Bottleneck") {
  EMBER_CHECK(in >= 1 && mid >= 1 && stride >= 1,
              "Bottleneck: in_channels {}, mid_channels {} and stride {} must be at least 1", in, mid, stride);
  const int64_t out = mid * expansion;
  conv1 = register_module("conv1", std::make_shared<nn::Conv2d>(nn::Conv2dOptions(in, mid, 1).bias(false)));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(mid));
  conv2 = register_module(
      "conv2", std::make_shared<nn::Conv2d>(nn::Conv2dOptions(mid, mid, 3).stride(stride).padding(1).bias(false)));
  bn2 = register_module("bn2", std::make_shared<nn::BatchNorm2d>(mid));
  conv3 = register_module("conv3", std::make_shared<nn::Conv2d>(nn::Conv2dOptions(mid, out, 1).bias(false)));
  bn3 = register_module("bn3", std::make_shared<nn::BatchNorm2d>(out));
  relu = register_module("relu", std::make_shared<nn::ReLU>());
  bn1->fuse_relu();  // bn then ReLU in one pass (nn/fusion.h); the block's last ReLU follows the sum
  bn2->fuse_relu();
  if (stride != 1 || in != out) {
    downsample = register_module(
        "downsample", nn::sequential({std::make_shared<nn::Conv2d>(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)),
                                      std::make_shared<nn::BatchNorm2d>(out)}));
  }
}

Tensor Bottleneck::forward(const Tensor& x) {
  Tensor out = (*bn1)((*conv1)(x));  // bn1 and bn2 apply the ReLU themselves (fused in the constructor)
  out = (*bn2)((*conv2)(out));
  out = (*bn3)((*conv3)(out));
  const Tensor shortcut = downsample ? (*downsample)(x) : x;
  return (*relu)(add(out, shortcut));
}

ResNet::ResNet(const ResNetOptions& o) : Module("ResNet") {
  EMBER_CHECK(o.in_channels() >= 1 && o.num_classes() >= 1 && o.width() >= 1,
              "ResNet: in_channels {}, num_classes {} and width {} must be at least 1", o.in_channels(),
              o.num_classes(), o.width());
  for (int64_t n : o.blocks()) EMBER_CHECK(n >= 1, "ResNet: every stage needs at least 1 block, got {}", n);
  conv1 = register_module("conv1", std::make_shared<nn::Conv2d>(
                                       nn::Conv2dOptions(o.in_channels(), o.width(), 3).padding(1).bias(false)));
  bn1 = register_module("bn1", std::make_shared<nn::BatchNorm2d>(o.width()));
  relu = register_module("relu", std::make_shared<nn::ReLU>());
  bn1->fuse_relu();
  int64_t in = o.width();
  std::shared_ptr<nn::Sequential>* layers[] = {&layer1, &layer2, &layer3};
  for (int i = 0; i < 3; ++i) {
    const int64_t mid = o.width() << i;
    auto layer = std::make_shared<nn::Sequential>();
    for (int64_t j = 0; j < o.blocks()[i]; ++j) {
      layer->push_back(std::make_shared<Bottleneck>(in, mid, j == 0 && i > 0 ? 2 : 1));
      in = mid * Bottleneck::expansion;
    }
    *layers[i] = register_module("layer" + std::to_string(i + 1), layer);
  }
  avgpool = register_module("avgpool", std::make_shared<nn::AdaptiveAvgPool2d>(1));
  flatten = register_module("flatten", std::make_shared<nn::Flatten>());
  fc = register_module("fc", std::make_shared<nn::Linear>(in, o.num_classes()));
}

Tensor ResNet::forward(const Tensor& x) {
  Tensor h = (*bn1)((*conv1)(x));  // bn1 applies the ReLU itself (fused in the constructor)
  h = (*layer3)((*layer2)((*layer1)(h)));
  return (*fc)((*flatten)((*avgpool)(h)));
}

}  // namespace ember::models
