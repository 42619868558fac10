#include "ember/train/filter_image.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/file.h"

// stb_image_write's functions compiled here, static, and nowhere else.
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb_image_write.h>

namespace ember::train {

namespace {

constexpr int64_t kMaxRgbFilters = 256;
constexpr int64_t kMaxRowFilters = 64, kMaxRowChannels = 16;
constexpr int64_t kBorder = 2;
constexpr uint8_t kBorderColor[3] = {70, 110, 160};  // steel blue: never a grayscale pixel

// A weight value scaled by its filter's max |w| to a byte, 0 -> 128 (mid-gray).
uint8_t to_byte(float value, float max_abs) {
  if (std::isnan(value) || max_abs == 0) return 128;
  const double v = std::clamp(127.5 + 127.5 * static_cast<double>(value) / max_abs, 0.0, 255.0);
  return static_cast<uint8_t>(std::lround(v));
}

// An RGB image being filled tile by tile.
struct Canvas {
  int64_t width, height;
  std::vector<uint8_t> rgb;
  Canvas(int64_t w, int64_t h) : width(w), height(h), rgb(static_cast<size_t>(w * h * 3)) {
    for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = kBorderColor[i % 3];
  }
  void set(int64_t x, int64_t y, uint8_t r, uint8_t g, uint8_t b) {
    uint8_t* p = &rgb[static_cast<size_t>((y * width + x) * 3)];
    p[0] = r;
    p[1] = g;
    p[2] = b;
  }
};

void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::string*>(context);
  out->append(static_cast<const char*>(data), static_cast<size_t>(size));
}

}  // namespace

void write_filter_grid_png(const Tensor& weight, const std::string& path, int scale) {
  EMBER_CHECK(weight.defined(), "write_filter_grid_png: the weight tensor is undefined (writing {})", path);
  EMBER_CHECK(weight.dim() == 4 && weight.dtype() == DType::f32,
              "write_filter_grid_png: expected a float32 conv weight [out, in, kh, kw], got {} (writing {})",
              weight.describe(), path);
  EMBER_CHECK(weight.numel() > 0, "write_filter_grid_png: the weight {} is empty (writing {})", weight.describe(),
              path);
  EMBER_CHECK(scale >= 1 && scale <= 64, "write_filter_grid_png: scale must be in [1, 64], got {} (writing {})", scale,
              path);
  const int64_t out = weight.size(0), in = weight.size(1), kh = weight.size(2), kw = weight.size(3);
  const std::vector<float> w = weight.to_vector<float>();
  auto at = [&](int64_t o, int64_t i, int64_t y, int64_t x) {
    return w[static_cast<size_t>(((o * in + i) * kh + y) * kw + x)];
  };

  // Tiles: (filter, channel) for each grid cell; channel -1 means all three as RGB.
  const bool rgb = in == 3;
  int64_t filters, rows, columns;
  if (rgb || in == 1) {
    filters = std::min(out, rgb ? kMaxRgbFilters : out);
    columns = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(filters))));
    rows = (filters + columns - 1) / columns;
  } else {
    filters = std::min(out, kMaxRowFilters);
    rows = filters;
    columns = std::min(in, kMaxRowChannels);
  }
  const int64_t tile_w = kw * scale, tile_h = kh * scale;
  const int64_t width = columns * (tile_w + kBorder) + kBorder, height = rows * (tile_h + kBorder) + kBorder;
  EMBER_CHECK(width * height <= (int64_t{1} << 26),
              "write_filter_grid_png: a {}x{} image for weight {} at scale {} is too large (writing {})", width, height,
              weight.describe(), scale, path);

  Canvas canvas(width, height);
  auto draw = [&](int64_t grid_row, int64_t grid_column, int64_t filter, int64_t channel, float max_abs) {
    const int64_t x0 = kBorder + grid_column * (tile_w + kBorder), y0 = kBorder + grid_row * (tile_h + kBorder);
    for (int64_t y = 0; y < tile_h; ++y) {
      for (int64_t x = 0; x < tile_w; ++x) {
        const int64_t ky = y / scale, kx = x / scale;
        if (channel < 0) {
          canvas.set(x0 + x, y0 + y, to_byte(at(filter, 0, ky, kx), max_abs), to_byte(at(filter, 1, ky, kx), max_abs),
                     to_byte(at(filter, 2, ky, kx), max_abs));
        } else {
          const uint8_t v = to_byte(at(filter, channel, ky, kx), max_abs);
          canvas.set(x0 + x, y0 + y, v, v, v);
        }
      }
    }
  };
  for (int64_t f = 0; f < filters; ++f) {
    float max_abs = 0;  // over the whole filter, so its channels share one scale
    for (int64_t i = 0; i < in * kh * kw; ++i) {
      const float v = w[static_cast<size_t>(f * in * kh * kw + i)];
      if (std::isfinite(v)) max_abs = std::max(max_abs, std::abs(v));
    }
    if (rgb) {
      draw(f / columns, f % columns, f, -1, max_abs);
    } else if (in == 1) {
      draw(f / columns, f % columns, f, 0, max_abs);
    } else {
      for (int64_t c = 0; c < columns; ++c) draw(f, c, f, c, max_abs);
    }
  }

  write_file_atomically(path, encode_png(canvas.rgb, width, height, 3));
}

std::string encode_png(const std::vector<uint8_t>& pixels, int64_t width, int64_t height, int channels) {
  EMBER_CHECK((channels == 1 || channels == 3) && width > 0 && height > 0 && width * height <= (int64_t{1} << 26) &&
                  pixels.size() == static_cast<size_t>(width * height * channels),
              "encode_png: {} bytes for a {}x{} image of {} channels (1 or 3; at most 2^26 pixels)", pixels.size(),
              width, height, channels);
  std::string png;
  const int ok = stbi_write_png_to_func(append_bytes, &png, static_cast<int>(width), static_cast<int>(height), channels,
                                        pixels.data(), static_cast<int>(width * channels));
  EMBER_CHECK(ok != 0 && !png.empty(), "encode_png: PNG encoding of a {}x{} image failed", width, height);
  return png;
}

std::string image_png(const Tensor& image) {
  EMBER_CHECK(image.defined() && image.dim() == 3 && image.dtype() == DType::f32 &&
                  (image.size(0) == 1 || image.size(0) == 3) && image.size(1) > 0 && image.size(2) > 0,
              "image_png: expected a float32 image [C, H, W] with 1 or 3 channels, got {}",
              image.defined() ? image.describe() : std::string("an undefined tensor"));
  const int64_t channels = image.size(0), height = image.size(1), width = image.size(2);
  const std::vector<float> values = image.contiguous().to_vector<float>();
  float low = INFINITY, high = -INFINITY;
  for (float v : values) {
    if (!std::isfinite(v)) continue;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  // 8-bit pixels (0..255, as the built-in datasets hold them) are kept; any other range is stretched.
  if (low >= 0 && high <= 255 && high > 1) {
    low = 0;
    high = 255;
  }
  const float range = high > low ? high - low : 1.0f;
  std::vector<uint8_t> pixels(values.size());
  for (int64_t y = 0; y < height; ++y) {  // planar [C, H, W] to interleaved rows
    for (int64_t x = 0; x < width; ++x) {
      for (int64_t c = 0; c < channels; ++c) {
        const float v = values[static_cast<size_t>((c * height + y) * width + x)];
        const float scaled = std::isfinite(v) ? std::clamp((v - low) / range * 255.0f, 0.0f, 255.0f) : 0.0f;
        pixels[static_cast<size_t>((y * width + x) * channels + c)] = static_cast<uint8_t>(std::lround(scaled));
      }
    }
  }
  return encode_png(pixels, width, height, static_cast<int>(channels));
}

}  // namespace ember::train
