#pragma once
// Transforms: what happens to each image between the dataset and the batch. Each works in place
// on one image of floats [C, H, W]; only Pad changes the shape (output_shape says how), and the
// DataLoader gives every image room for its largest shape along the list, so a batch is still
// filled without temporaries. Random transforms draw from the generator they are given: the DataLoader gives
// every example its own generator, seeded from (loader seed, epoch, position in the epoch), so
// augmentation is the same for a seed whatever the thread count or prefetching.
//
//   ScaleTo01        x / 255 (the datasets yield 0..255)
//   Pad              `padding` pixels of `fill` (0: black) on every side: [C, H, W] -> [C, H+2p, W+2p]
//                    (28x28 MNIST to the 32x32 the classic LeNet-5 takes: Pad(2))
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
  // image holds an image of shape chw, and has room for output_shape(chw); apply leaves the
  // output there.
  virtual void apply(float* image, const Shape& chw, Generator& rng) const = 0;
  virtual std::string describe() const = 0;  // "normalize(mean=[0.1307], std=[0.3081])"
  // The shape apply writes for an input of shape chw: the same for every transform but Pad.
  virtual Shape output_shape(const Shape& chw) const { return chw; }
};

using TransformList = std::vector<std::shared_ptr<const Transform>>;

// The shape of an image of shape `chw` after every transform of the list, in order.
Shape transformed_shape(const TransformList& transforms, const Shape& chw);
// The most floats an image of shape `chw` occupies at any point of the list (the room apply needs).
int64_t transformed_capacity(const TransformList& transforms, const Shape& chw);

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

class Pad : public Transform {
 public:
  explicit Pad(int64_t padding, float fill = 0.0f);
  void apply(float* image, const Shape& chw, Generator& rng) const override;
  std::string describe() const override;
  Shape output_shape(const Shape& chw) const override;
  int64_t padding() const { return padding_; }

 private:
  int64_t padding_;
  float fill_;
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
