#include "ember/data/transforms.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "ember/core/error.h"

namespace ember::data {

void ScaleTo01::apply(float* image, const Shape& chw, Generator&) const {
  const int64_t n = chw[0] * chw[1] * chw[2];
  for (int64_t i = 0; i < n; ++i) image[i] *= 1.0f / 255.0f;
}

Normalize::Normalize(std::vector<float> mean, std::vector<float> std) : mean_(std::move(mean)), std_(std::move(std)) {
  EMBER_CHECK(!mean_.empty() && mean_.size() == std_.size(),
              "Normalize: needs as many means as standard deviations (one, or one per channel), got {} and {}",
              mean_.size(), std_.size());
  for (float s : std_) {
    EMBER_CHECK(s > 0, "Normalize: standard deviations must be positive, got {}", fmt::join(std_, ", "));
    inverse_std_.push_back(1.0f / s);
  }
}

void Normalize::apply(float* image, const Shape& chw, Generator&) const {
  const size_t channels = static_cast<size_t>(chw[0]);
  EMBER_CHECK(mean_.size() == 1 || mean_.size() == channels,
              "Normalize: has {} means but the image has {} channels", mean_.size(), channels);
  const int64_t plane = chw[1] * chw[2];
  for (size_t c = 0; c < channels; ++c) {
    const size_t k = mean_.size() == 1 ? 0 : c;
    float* p = image + static_cast<int64_t>(c) * plane;
    for (int64_t i = 0; i < plane; ++i) p[i] = (p[i] - mean_[k]) * inverse_std_[k];
  }
}

std::string Normalize::describe() const {
  return fmt::format("normalize(mean=[{}], std=[{}])", fmt::join(mean_, ", "), fmt::join(std_, ", "));
}

Shape transformed_shape(const TransformList& transforms, const Shape& chw) {
  Shape shape = chw;
  for (const auto& t : transforms) shape = t->output_shape(shape);
  return shape;
}

int64_t transformed_capacity(const TransformList& transforms, const Shape& chw) {
  Shape shape = chw;
  int64_t most = numel_of(shape);
  for (const auto& t : transforms) {
    shape = t->output_shape(shape);
    most = std::max(most, numel_of(shape));
  }
  return most;
}

// The largest padding an image can take: beyond it the padded sizes would overflow long before
// memory runs out (the DataLoader's memory check refuses far smaller ones).
constexpr int64_t kMaxPadding = int64_t{1} << 24;

Pad::Pad(int64_t padding, float fill) : padding_(padding), fill_(fill) {
  EMBER_CHECK(padding >= 0 && padding <= kMaxPadding, "Pad: padding must be from 0 to {}, got {}", kMaxPadding,
              padding);
  EMBER_CHECK(std::isfinite(fill), "Pad: the fill value must be finite, got {}", fill);
}

Shape Pad::output_shape(const Shape& chw) const {
  EMBER_CHECK(chw.size() == 3, "Pad: expected an image shape [C, H, W], got {}", shape_str(chw));
  return {chw[0], chw[1] + 2 * padding_, chw[2] + 2 * padding_};
}

void Pad::apply(float* image, const Shape& chw, Generator&) const {
  if (padding_ == 0) return;
  const int64_t channels = chw[0], h = chw[1], w = chw[2];
  const int64_t out_h = h + 2 * padding_, out_w = w + 2 * padding_;
  // In place, last row first: every row moves to a later address than its own, and past every
  // row not yet moved, so nothing is overwritten before it is read.
  for (int64_t c = channels - 1; c >= 0; --c) {
    for (int64_t y = h - 1; y >= 0; --y) {
      std::memmove(image + (c * out_h + y + padding_) * out_w + padding_, image + (c * h + y) * w,
                   static_cast<size_t>(w) * sizeof(float));
    }
  }
  for (int64_t c = 0; c < channels; ++c) {
    float* plane = image + c * out_h * out_w;
    std::fill(plane, plane + padding_ * out_w, fill_);                                   // top rows
    std::fill(plane + (padding_ + h) * out_w, plane + out_h * out_w, fill_);             // bottom rows
    for (int64_t y = padding_; y < padding_ + h; ++y) {
      std::fill(plane + y * out_w, plane + y * out_w + padding_, fill_);                 // left
      std::fill(plane + y * out_w + padding_ + w, plane + (y + 1) * out_w, fill_);       // right
    }
  }
}

std::string Pad::describe() const {
  return fill_ == 0.0f ? fmt::format("pad({})", padding_) : fmt::format("pad({}, fill={})", padding_, fill_);
}

void shift_image(float* image, const Shape& chw, int64_t dx, int64_t dy) {
  const int64_t h = chw[1], w = chw[2];
  if (dx == 0 && dy == 0) return;
  std::vector<float> plane(static_cast<size_t>(h * w));
  for (int64_t c = 0; c < chw[0]; ++c) {
    float* p = image + c * h * w;
    std::fill(plane.begin(), plane.end(), 0.0f);
    // Output row y takes input row y - dy, output column x takes input column x - dx.
    const int64_t x_begin = std::max<int64_t>(0, dx), x_end = std::min(w, w + dx);
    for (int64_t y = std::max<int64_t>(0, dy); y < std::min(h, h + dy); ++y) {
      if (x_end > x_begin) {
        std::memcpy(&plane[static_cast<size_t>(y * w + x_begin)], p + (y - dy) * w + (x_begin - dx),
                    static_cast<size_t>(x_end - x_begin) * sizeof(float));
      }
    }
    std::memcpy(p, plane.data(), plane.size() * sizeof(float));
  }
}

RandomTranslate::RandomTranslate(int64_t max_shift) : max_shift_(max_shift) {
  EMBER_CHECK(max_shift >= 0, "RandomTranslate: max_shift must be >= 0, got {}", max_shift);
}

void RandomTranslate::apply(float* image, const Shape& chw, Generator& rng) const {
  const uint64_t choices = static_cast<uint64_t>(2 * max_shift_ + 1);
  const int64_t dx = static_cast<int64_t>(rng.below(choices)) - max_shift_;
  const int64_t dy = static_cast<int64_t>(rng.below(choices)) - max_shift_;
  shift_image(image, chw, dx, dy);
}

std::string RandomTranslate::describe() const { return fmt::format("random_translate(max_shift={})", max_shift_); }

RandomCrop::RandomCrop(int64_t padding) : padding_(padding) {
  EMBER_CHECK(padding >= 0, "RandomCrop: padding must be >= 0, got {}", padding);
}

void RandomCrop::apply(float* image, const Shape& chw, Generator& rng) const {
  // Cropping H x W at offset (ox, oy) of the zero-padded image is a shift by (padding - ox, ...).
  const uint64_t choices = static_cast<uint64_t>(2 * padding_ + 1);
  const int64_t ox = static_cast<int64_t>(rng.below(choices));
  const int64_t oy = static_cast<int64_t>(rng.below(choices));
  shift_image(image, chw, padding_ - ox, padding_ - oy);
}

std::string RandomCrop::describe() const { return fmt::format("random_crop(padding={})", padding_); }

RandomHorizontalFlip::RandomHorizontalFlip(double probability) : probability_(probability) {
  EMBER_CHECK(probability >= 0 && probability <= 1, "RandomHorizontalFlip: probability must be in [0, 1], got {}",
              probability);
}

void RandomHorizontalFlip::apply(float* image, const Shape& chw, Generator& rng) const {
  if (!(rng.uniform() < probability_)) return;
  const int64_t w = chw[2];
  for (int64_t row = 0; row < chw[0] * chw[1]; ++row) std::reverse(image + row * w, image + row * w + w);
}

std::string RandomHorizontalFlip::describe() const { return fmt::format("random_horizontal_flip(p={})", probability_); }

}  // namespace ember::data
