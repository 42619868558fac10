#include "ember/models/autoencoder.h"

#include "ember/core/shape.h"
#include "ember/nn/conv.h"
#include "ember/nn/fusion.h"
#include "ember/nn/upsample.h"

namespace ember::models {

ConvAutoencoder::ConvAutoencoder(const ConvAutoencoderOptions& o) : Module("ConvAutoencoder") {
  EMBER_CHECK(o.in_channels() >= 1 && o.channels()[0] >= 1 && o.channels()[1] >= 1,
              "ConvAutoencoder: in_channels {} and channels [{}, {}] must be at least 1", o.in_channels(),
              o.channels()[0], o.channels()[1]);
  const auto [c0, c1] = o.channels();
  encoder = register_module("encoder", nn::sequential({
      std::make_shared<nn::Conv2d>(nn::Conv2dOptions(o.in_channels(), c0, 3).stride(2).padding(1)),
      std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Conv2d>(nn::Conv2dOptions(c0, c1, 3).stride(2).padding(1)),
      std::make_shared<nn::ReLU>()}));
  if (o.decoder() == AutoencoderDecoder::resize) {
    decoder = register_module("decoder", nn::sequential({
        std::make_shared<nn::Upsample>(nn::UpsampleOptions().scale_factor(2)),
        std::make_shared<nn::Conv2d>(nn::Conv2dOptions(c1, c0, 3).padding(1)),
        std::make_shared<nn::ReLU>(),
        std::make_shared<nn::Upsample>(nn::UpsampleOptions().scale_factor(2)),
        std::make_shared<nn::Conv2d>(nn::Conv2dOptions(c0, o.in_channels(), 3).padding(1)),
        std::make_shared<nn::Sigmoid>()}));
    return;
  }
  decoder = register_module("decoder", nn::sequential({
      std::make_shared<nn::ConvTranspose2d>(nn::ConvTranspose2dOptions(c1, c0, 3).stride(2).padding(1).output_padding(1)),
      std::make_shared<nn::ReLU>(),
      std::make_shared<nn::ConvTranspose2d>(
          nn::ConvTranspose2dOptions(c0, o.in_channels(), 3).stride(2).padding(1).output_padding(1)),
      std::make_shared<nn::Sigmoid>()}));
  nn::fuse_relu(*this);  // its Conv2d/BatchNorm2d + ReLU pairs, one pass each (nn/fusion.h)
}

Tensor ConvAutoencoder::forward(const Tensor& x) {
  EMBER_CHECK(x.dim() == 4 && x.size(2) % 4 == 0 && x.size(3) % 4 == 0 && x.size(2) > 0 && x.size(3) > 0,
              "ConvAutoencoder: expected [N, C, H, W] with H and W positive multiples of 4, got {}",
              shape_str(x.shape()));
  return (*decoder)((*encoder)(x));
}

}  // namespace ember::models
