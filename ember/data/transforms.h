#pragma once
// Transforms: what happens to each image between the dataset and the batch. Each works in place
// on one image of floats [C, H, W] and never changes its shape, so a batch is filled without
// temporaries. Random transforms draw from the generator they are given: the DataLoader gives
// every example its own generator, seeded from (loader seed, epoch, position in the epoch), so
// augmentation is the same for a seed whatever the thread count or prefetching.
//
//   ScaleTo01        x / 255 (the datasets yield 0..255)
//   Normalize        (x - mean[c]) / std[c] per channel
//   RandomTranslate  shift by dx, dy uniform in [-max_shift, max_shift], zeros shifted in
//                    (the classic way to expand MNIST with 1-pixel shifts)
//   RandomCrop       pad by `padding` zeros on every side, crop H x W at a uniform offset
//   RandomHorizontalFlip  mirror left-right with probability p
#include <memory>
#include <string>
#include <vector>

#include "ember/core/random.h"
#include "ember/core/shape.h"

namespace ember::data {

class Transform {
 public:
  virtual ~Transform() = default;
  // image holds chw[0] * chw[1] * chw[2] floats.
  virtual void apply(float* image, const Shape& chw, Generator& rng) const = 0;
  virtual std::string describe() const = 0;  // "normalize(mean=[0.1307], std=[0.3081])"
};

using TransformList = std::vector<std::shared_ptr<const Transform>>;

class ScaleTo01 : public Transform {
 public:
  void apply(float* image, const Shape& chw, Generator& rng) const override;
  std::string describe() const override { return "scale(1/255)"; }
};

class Normalize : public Transform {
 public:
  // One mean/std for every channel, or one per channel (checked against the image in apply).
  Normalize(std::vector<float> mean, std::vector<float> std);
  void apply(float* image, const Shape& chw, Generator& rng) const override;
  std::string describe() const override;

 private:
  std::vector<float> mean_, inverse_std_, std_;
};

class RandomTranslate : public Transform {
 public:
  explicit RandomTranslate(int64_t max_shift);
  void apply(float* image, const Shape& chw, Generator& rng) const override;
  std::string describe() const override;

 private:
  int64_t max_shift_;
};

class RandomCrop : public Transform {
 public:
  explicit RandomCrop(int64_t padding);
  void apply(float* image, const Shape& chw, Generator& rng) const override;
  std::string describe() const override;

 private:
  int64_t padding_;
};

class RandomHorizontalFlip : public Transform {
 public:
  explicit RandomHorizontalFlip(double probability = 0.5);
  void apply(float* image, const Shape& chw, Generator& rng) const override;
  std::string describe() const override;

 private:
  double probability_;
};

// Moves every channel of the image by (dx, dy) pixels, filling uncovered pixels with 0.
void shift_image(float* image, const Shape& chw, int64_t dx, int64_t dy);

}  // namespace ember::data
