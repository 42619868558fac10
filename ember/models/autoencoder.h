#pragma once
// Convolutional autoencoder for 1x28x28 images: a strided-conv encoder and a decoder that
// reconstructs the input's shape, sigmoid at the end (pixels in (0, 1)).
//   encoder = conv(in -> c0, 3x3, s2, p1), relu, conv(c0 -> c1, 3x3, s2, p1), relu    28 -> 14 -> 7
// The decoder, by options.decoder():
//   transposed (default):
//             convT(c1 -> c0, 3x3, s2, p1, out_pad 1), relu,
//             convT(c0 -> in, 3x3, s2, p1, out_pad 1), sigmoid                        7 -> 14 -> 28
//   resize (resize-convolution, Odena et al. 2016, "Deconvolution and Checkerboard Artifacts"):
//             upsample x2 (nearest), conv(c1 -> c0, 3x3, p1), relu,
//             upsample x2 (nearest), conv(c0 -> in, 3x3, p1), sigmoid                 7 -> 14 -> 28
// A stride-2 3x3 transposed conv covers output pixels unevenly (alternating 1 and 2 kernel taps per
// axis), which paints a checkerboard into the reconstructions; upsampling first and then
// convolving gives every output pixel the same number of taps. Both decoders have the same
// shapes and parameter counts. Any H, W divisible by 4 round-trips exactly. 9,569 parameters by
// default; state-dict keys decoder.0/2.* (transposed) or decoder.1/4.* (resize).
#include <array>
#include <memory>

#include "ember/core/options.h"
#include "ember/models/common.h"
#include "ember/nn/sequential.h"

namespace ember::models {

enum class AutoencoderDecoder { transposed, resize };

struct ConvAutoencoderOptions {
  using Channels = std::array<int64_t, 2>;  // c0, c1 (an alias: EMBER_ARG cannot take a type with a comma)
  EMBER_ARG(int64_t, in_channels, 1);
  EMBER_ARG(Channels, channels, {16, 32});
  EMBER_ARG(AutoencoderDecoder, decoder, AutoencoderDecoder::transposed);
};

class ConvAutoencoder : public nn::Module {
 public:
  explicit ConvAutoencoder(const ConvAutoencoderOptions& options = {});
  Tensor forward(const Tensor& x) override;  // [N, C, H, W] -> [N, C, H, W], H and W divisible by 4
  Tensor encode(const Tensor& x) { return (*encoder)(x); }  // -> [N, c1, H/4, W/4]
  Tensor decode(const Tensor& z) { return (*decoder)(z); }
  std::shared_ptr<nn::Sequential> encoder, decoder;
};

}  // namespace ember::models
