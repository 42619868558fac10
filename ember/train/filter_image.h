#pragma once
// write_filter_grid_png(weight, path, scale): a convolution weight [out, in, kh, kw] drawn as a
// PNG grid of tiles, written atomically to path.
//
// Layout:
//   in == 3: one RGB tile per filter (channels 0, 1, 2 as red, green, blue), tiles in a near-square
//            grid, row by row (at most 256 filters: AlexNet's 96 fit; more would not be legible).
//   in == 1: one grayscale tile per filter, in the same near-square grid.
//   otherwise: one grayscale tile per (filter, input channel): filter i is row i, channel j is
//            column j. At most 64 filters x 16 channels are drawn (the first ones); a whole
//            512x512 layer would be a wall of noise, and the first rows show its character.
// Values: each filter is scaled on its own by m = its largest |w| (over all its input channels),
// symmetric around 0: w -> 127.5 + 127.5 * w / m, so 0 is mid-gray (128), +m white (255), -m
// black (0), and the sign is visible. A filter of all zeros is mid-gray; NaN is drawn mid-gray.
// Each kernel pixel becomes a scale x scale block (nearest neighbour); tiles are separated by a
// 2-pixel steel-blue border, a color no grayscale pixel has.
//
// Throws ember::Error if weight is not a rank-4 float32 tensor with non-zero sizes (naming what it
// got), if scale is not in [1, 64], if the image would exceed 2^26 pixels, or if the file cannot
// be written.
//
// image_png(image): one image [C, H, W] (C = 1 gray or 3 RGB, float32) as PNG bytes, for the
// report's misclassified examples. Values in 0..255 with some above 1 (the built-in datasets'
// 8-bit pixels) are kept as they are; any other range is stretched to 0..255 (NaN is black).
// encode_png(pixels, width, height, channels): interleaved 8-bit pixels (1 or 3 channels) as PNG.
#include <cstdint>
#include <string>
#include <vector>

#include "ember/core/tensor.h"

namespace ember::train {

void write_filter_grid_png(const Tensor& weight, const std::string& path, int scale = 8);
std::string image_png(const Tensor& image);
std::string encode_png(const std::vector<uint8_t>& pixels, int64_t width, int64_t height, int channels);

}  // namespace ember::train
