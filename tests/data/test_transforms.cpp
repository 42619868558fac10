// Transforms (ember/data/transforms.h) on small hand-made images: exact values of shift_image,
// ScaleTo01 and Normalize; the range and spread of the random transforms' draws; determinism for
// a seed; and every constructor/apply error.
#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "support/helpers.h"

#include "ember/data/transforms.h"

using namespace ember;
using namespace ember::data;
using ember::test::check_error;

namespace {

using Image = std::vector<float>;

// 1x3x4 with values 1..12, row-major:
//    1  2  3  4
//    5  6  7  8
//    9 10 11 12
Image small_image() {
  Image image(12);
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<float>(i + 1);
  return image;
}
const Shape kSmall = {1, 3, 4};

// 3x4x4 with value 100 * c + 10 * y + x (so no pixel is 0 except channel 0's corner).
Image rgb_image() {
  Image image;
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 4; ++y) {
      for (int x = 0; x < 4; ++x) image.push_back(static_cast<float>(100 * c + 10 * y + x));
    }
  }
  return image;
}
const Shape kRgb = {3, 4, 4};

Image shifted(Image image, const Shape& chw, int64_t dx, int64_t dy) {
  shift_image(image.data(), chw, dx, dy);
  return image;
}

Image applied(const Transform& t, Image image, const Shape& chw, Generator& rng) {
  t.apply(image.data(), chw, rng);
  return image;
}

// A (2r+1)x(2r+1) single-channel image that is 0 except a 1 in the centre; after a transform that
// only shifts, where the 1 went tells the shift.
struct Dot {
  int64_t r;
  Image image;
  explicit Dot(int64_t radius) : r(radius), image(static_cast<size_t>((2 * r + 1) * (2 * r + 1))) {
    image[static_cast<size_t>(r * (2 * r + 1) + r)] = 1.0f;
  }
  Shape shape() const { return {1, 2 * r + 1, 2 * r + 1}; }
  // The (dx, dy) of the 1 in `out`, checking that it is the only nonzero pixel.
  std::pair<int64_t, int64_t> shift_of(const Image& out) const {
    REQUIRE(std::count(out.begin(), out.end(), 1.0f) == 1);
    REQUIRE(std::count(out.begin(), out.end(), 0.0f) == static_cast<std::ptrdiff_t>(out.size()) - 1);
    const auto at = std::find(out.begin(), out.end(), 1.0f) - out.begin();
    const int64_t side = 2 * r + 1;
    return {at % side - r, at / side - r};
  }
};

}  // namespace

TEST_CASE("shift_image: exact values of small shifts, zeros shifted in") {
  // Right by one: column x takes column x - 1.
  CHECK(shifted(small_image(), kSmall, 1, 0) == Image{0, 1, 2, 3,  //
                                                      0, 5, 6, 7,  //
                                                      0, 9, 10, 11});
  // Up by two: row y takes row y + 2.
  CHECK(shifted(small_image(), kSmall, 0, -2) == Image{9, 10, 11, 12,  //
                                                       0, 0, 0, 0,     //
                                                       0, 0, 0, 0});
  // Left by one and down by one.
  CHECK(shifted(small_image(), kSmall, -1, 1) == Image{0, 0, 0, 0,  //
                                                       2, 3, 4, 0,  //
                                                       6, 7, 8, 0});
  CHECK(shifted(small_image(), kSmall, 0, 0) == small_image());
  // Left by three and up by two: only the bottom-right pixel stays, now top-left.
  CHECK(shifted(small_image(), kSmall, -3, -2) == Image{12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("shift_image: by the size or more in any direction leaves only zeros") {
  const Image zeros(12, 0.0f);
  for (auto [dx, dy] : std::vector<std::pair<int64_t, int64_t>>{
           {4, 0}, {-4, 0}, {0, 3}, {0, -3}, {100, 0}, {0, -100}, {5, 5}, {-1, 3}, {3, -7}}) {
    CAPTURE(dx);
    CAPTURE(dy);
    CHECK(shifted(small_image(), kSmall, dx, dy) == zeros);
  }
  // One less than the size keeps one column / row.
  CHECK(shifted(small_image(), kSmall, 3, 0) == Image{0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 9});
  CHECK(shifted(small_image(), kSmall, 0, 2) == Image{0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
}

TEST_CASE("shift_image: every channel of a 3x4x4 image moves the same way") {
  const Image out = shifted(rgb_image(), kRgb, 1, -1);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 4; ++y) {
      for (int x = 0; x < 4; ++x) {
        CAPTURE(c);
        CAPTURE(y);
        CAPTURE(x);
        // Output (x, y) is input (x - 1, y + 1), or 0 outside.
        const bool inside = x - 1 >= 0 && y + 1 < 4;
        const float expected = inside ? static_cast<float>(100 * c + 10 * (y + 1) + (x - 1)) : 0.0f;
        CHECK(out[static_cast<size_t>(c * 16 + y * 4 + x)] == expected);
      }
    }
  }
}

TEST_CASE("ScaleTo01 divides by 255") {
  Generator rng(1);
  Image image = {0, 255, 51, 127.5f, 510, -255};
  ScaleTo01().apply(image.data(), {1, 2, 3}, rng);
  CHECK(image[0] == 0.0f);
  CHECK(image[1] == doctest::Approx(1.0).epsilon(1e-7));
  CHECK(image[2] == doctest::Approx(0.2).epsilon(1e-7));
  CHECK(image[3] == doctest::Approx(0.5).epsilon(1e-7));
  CHECK(image[4] == doctest::Approx(2.0).epsilon(1e-7));
  CHECK(image[5] == doctest::Approx(-1.0).epsilon(1e-7));
  CHECK(ScaleTo01().describe() == "scale(1/255)");
  // Draws nothing from the generator.
  Generator fresh(1);
  CHECK(rng.next_u64() == fresh.next_u64());
}

TEST_CASE("Normalize: one mean/std per channel") {
  // Standard deviations with exact reciprocals, so the results are exact.
  const Normalize normalize({1, 2, 3}, {2, 4, 0.5f});
  Generator rng(0);
  const Image out = applied(normalize, rgb_image(), kRgb, rng);
  const float mean[] = {1, 2, 3}, std[] = {2, 4, 0.5f};
  const Image in = rgb_image();
  for (size_t i = 0; i < in.size(); ++i) {
    const size_t c = i / 16;
    CAPTURE(i);
    CHECK(out[i] == (in[i] - mean[c]) / std[c]);
  }
  CHECK(out[0] == -0.5f);              // (0 - 1) / 2
  CHECK(out[16] == (100 - 2) / 4.0f);  // channel 1, first pixel: 24.5
  CHECK(out[47] == (233 - 3) / 0.5f);  // channel 2, last pixel: 460
  CHECK(normalize.describe() == "normalize(mean=[1, 2, 3], std=[2, 4, 0.5])");
}

TEST_CASE("Normalize: a single mean/std applies to every channel") {
  const Normalize normalize({0.5f}, {0.25f});
  Generator rng(0);
  const Image out = applied(normalize, rgb_image(), kRgb, rng);
  const Image in = rgb_image();
  for (size_t i = 0; i < in.size(); ++i) CHECK(out[i] == (in[i] - 0.5f) * 4.0f);
  const Image one = applied(normalize, small_image(), kSmall, rng);
  CHECK(one[0] == 2.0f);    // (1 - 0.5) * 4
  CHECK(one[11] == 46.0f);  // (12 - 0.5) * 4
  CHECK(Normalize({0.1307f}, {0.3081f}).describe() == "normalize(mean=[0.1307], std=[0.3081])");
}

TEST_CASE("Normalize: bad arguments") {
  check_error([] { Normalize({0.1f, 0.2f}, {0.3f}); },
              {"Normalize", "as many means as standard deviations", "got 2 and 1"});
  check_error([] { Normalize({}, {}); }, {"Normalize", "as many means as standard deviations", "got 0 and 0"});
  check_error([] { Normalize({0.5f}, {0.0f}); }, {"Normalize", "standard deviations must be positive", "got 0"});
  check_error([] { Normalize({0, 0}, {1, -2}); }, {"standard deviations must be positive", "got 1, -2"});
  check_error([] { Normalize({0.5f}, {NAN}); }, {"standard deviations must be positive"});
  // Per-channel statistics must match the image's channels when applied.
  const Normalize two({0, 0}, {1, 1});
  Generator rng(0);
  Image rgb = rgb_image();
  check_error([&] { two.apply(rgb.data(), kRgb, rng); }, {"Normalize", "has 2 means but the image has 3 channels"});
  CHECK(rgb == rgb_image());  // checked before anything was written
  Image gray = small_image();
  const Normalize three({0, 0, 0}, {1, 1, 1});
  check_error([&] { three.apply(gray.data(), kSmall, rng); }, {"has 3 means but the image has 1 channels"});
}

TEST_CASE("RandomTranslate: draws dx then dy from the generator, each uniform in [-n, n]") {
  // The exact draws: dx = below(2n + 1) - n, then dy the same way.
  for (uint64_t seed : {1u, 2u, 3u, 42u}) {
    CAPTURE(seed);
    Generator rng(seed), twin(seed);
    const Image out = applied(RandomTranslate(1), rgb_image(), kRgb, rng);
    const int64_t dx = static_cast<int64_t>(twin.below(3)) - 1;
    const int64_t dy = static_cast<int64_t>(twin.below(3)) - 1;
    CHECK(out == shifted(rgb_image(), kRgb, dx, dy));
    CHECK(rng.next_u64() == twin.next_u64());  // exactly two draws
  }

  // Over many draws every value of dx and dy in [-2, 2] appears, none outside, and the pairs
  // spread over the whole 5x5 square.
  const Dot dot(4);
  const RandomTranslate translate(2);
  Generator rng(7);
  std::set<int64_t> dxs, dys;
  std::set<std::pair<int64_t, int64_t>> pairs;
  for (int i = 0; i < 500; ++i) {
    const auto [dx, dy] = dot.shift_of(applied(translate, dot.image, dot.shape(), rng));
    dxs.insert(dx);
    dys.insert(dy);
    pairs.insert({dx, dy});
  }
  CHECK(dxs == std::set<int64_t>{-2, -1, 0, 1, 2});
  CHECK(dys == std::set<int64_t>{-2, -1, 0, 1, 2});
  CHECK(pairs.size() == 25);
  CHECK(translate.describe() == "random_translate(max_shift=2)");
}

TEST_CASE("RandomTranslate(0) and RandomCrop(0) leave the image as it is") {
  Generator rng(3);
  for (int i = 0; i < 10; ++i) {
    CHECK(applied(RandomTranslate(0), rgb_image(), kRgb, rng) == rgb_image());
    CHECK(applied(RandomCrop(0), rgb_image(), kRgb, rng) == rgb_image());
  }
}

TEST_CASE("RandomCrop with padding p is a shift by at most p, every offset appearing") {
  for (int64_t p : {1, 3}) {
    CAPTURE(p);
    const Dot dot(p + 1);
    const RandomCrop crop(p);
    Generator rng(11);
    std::set<int64_t> dxs, dys;
    for (int i = 0; i < 600; ++i) {
      const auto [dx, dy] = dot.shift_of(applied(crop, dot.image, dot.shape(), rng));
      dxs.insert(dx);
      dys.insert(dy);
    }
    std::set<int64_t> all;
    for (int64_t s = -p; s <= p; ++s) all.insert(s);
    CHECK(dxs == all);
    CHECK(dys == all);
  }
  // The exact draws: the crop offset (ox, oy) in [0, 2p] is a shift by (p - ox, p - oy).
  Generator rng(5), twin(5);
  const Image out = applied(RandomCrop(2), rgb_image(), kRgb, rng);
  const int64_t ox = static_cast<int64_t>(twin.below(5));
  const int64_t oy = static_cast<int64_t>(twin.below(5));
  CHECK(out == shifted(rgb_image(), kRgb, 2 - ox, 2 - oy));
  CHECK(RandomCrop(4).describe() == "random_crop(padding=4)");
}

TEST_CASE("RandomHorizontalFlip: p = 0 never, p = 1 always, p = 0.5 about half the time") {
  const Image mirrored = {4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9};
  Generator rng(9);
  for (int i = 0; i < 100; ++i) {
    CHECK(applied(RandomHorizontalFlip(0.0), small_image(), kSmall, rng) == small_image());
    CHECK(applied(RandomHorizontalFlip(1.0), small_image(), kSmall, rng) == mirrored);
  }
  // Every channel of a 3x4x4 image is mirrored.
  const Image flipped = applied(RandomHorizontalFlip(1.0), rgb_image(), kRgb, rng);
  for (int c = 0; c < 3; ++c) {
    for (int y = 0; y < 4; ++y) {
      for (int x = 0; x < 4; ++x) {
        CHECK(flipped[static_cast<size_t>(c * 16 + y * 4 + x)] == static_cast<float>(100 * c + 10 * y + (3 - x)));
      }
    }
  }
  const RandomHorizontalFlip half;  // p = 0.5 by default
  int flips = 0;
  for (int i = 0; i < 1000; ++i) {
    const Image out = applied(half, small_image(), kSmall, rng);
    REQUIRE((out == small_image() || out == mirrored));
    flips += out == mirrored;
  }
  CHECK(flips > 430);  // 500 +- 4.4 standard deviations
  CHECK(flips < 570);
  CHECK(half.describe() == "random_horizontal_flip(p=0.5)");
  // One uniform draw per image: flipped when it is below p.
  Generator a(21), twin(21);
  const Image out = applied(RandomHorizontalFlip(0.3), small_image(), kSmall, a);
  CHECK(out == (twin.uniform() < 0.3f ? mirrored : small_image()));
  CHECK(a.next_u64() == twin.next_u64());
}

TEST_CASE("random transforms: the same seed gives the same result, other seeds other results") {
  const TransformList chain = {std::make_shared<RandomCrop>(2), std::make_shared<RandomHorizontalFlip>(),
                               std::make_shared<RandomTranslate>(1)};
  auto run = [&](uint64_t seed) {
    Generator rng(seed);
    Image image = rgb_image();
    for (const auto& t : chain) t->apply(image.data(), kRgb, rng);
    return image;
  };
  CHECK(run(123) == run(123));
  CHECK(run(7) == run(7));
  std::set<Image> distinct;
  for (uint64_t seed = 0; seed < 20; ++seed) distinct.insert(run(seed));
  CHECK(distinct.size() > 5);
}

TEST_CASE("random transforms: bad arguments") {
  check_error([] { RandomTranslate(-1); }, {"RandomTranslate", "max_shift must be >= 0", "got -1"});
  check_error([] { RandomCrop(-2); }, {"RandomCrop", "padding must be >= 0", "got -2"});
  check_error([] { RandomHorizontalFlip(1.5); }, {"RandomHorizontalFlip", "probability must be in [0, 1]", "got 1.5"});
  check_error([] { RandomHorizontalFlip(-0.1); }, {"RandomHorizontalFlip", "got -0.1"});
  check_error([] { RandomHorizontalFlip(NAN); }, {"RandomHorizontalFlip", "probability must be in [0, 1]"});
}

// ---- Pad: the one transform that changes the shape ----

namespace {

// Pad by naive loops: out[c][y][x] = in[c][y - p][x - p] inside, fill outside.
Image padded_reference(const Image& in, const Shape& chw, int64_t p, float fill) {
  const int64_t h = chw[1], w = chw[2], out_h = h + 2 * p, out_w = w + 2 * p;
  Image out;
  for (int64_t c = 0; c < chw[0]; ++c) {
    for (int64_t y = 0; y < out_h; ++y) {
      for (int64_t x = 0; x < out_w; ++x) {
        const bool inside = y >= p && y < p + h && x >= p && x < p + w;
        out.push_back(inside ? in[static_cast<size_t>((c * h + y - p) * w + x - p)] : fill);
      }
    }
  }
  return out;
}

// Pad applied in a buffer with room for its output, as the DataLoader gives it.
Image padded(const Pad& pad, const Image& in, const Shape& chw) {
  Image buffer(static_cast<size_t>(numel_of(pad.output_shape(chw))), -7.0f);  // garbage beyond the input
  std::copy(in.begin(), in.end(), buffer.begin());
  Generator rng(1);
  pad.apply(buffer.data(), chw, rng);
  return buffer;
}

}  // namespace

TEST_CASE("Pad: the image in the middle of a border of fill, every channel, against naive loops") {
  for (int64_t p : {1, 2, 5}) {
    CAPTURE(p);
    CHECK(Pad(p).output_shape(kRgb) == Shape{3, 4 + 2 * p, 4 + 2 * p});
    CHECK(padded(Pad(p), rgb_image(), kRgb) == padded_reference(rgb_image(), kRgb, p, 0.0f));
    CHECK(padded(Pad(p, -1.5f), small_image(), kSmall) == padded_reference(small_image(), kSmall, p, -1.5f));
  }
  // MNIST's 28x28 to the classic LeNet-5's 32x32.
  CHECK(Pad(2).output_shape({1, 28, 28}) == Shape{1, 32, 32});
  // Pad(0) changes nothing.
  CHECK(Pad(0).output_shape(kRgb) == kRgb);
  CHECK(padded(Pad(0), rgb_image(), kRgb) == rgb_image());
  CHECK(Pad(2).describe() == "pad(2)");
  CHECK(Pad(1, 0.5f).describe() == "pad(1, fill=0.5)");
  CHECK(Pad(3).padding() == 3);
}

TEST_CASE("transformed_shape and transformed_capacity follow the list in order") {
  const TransformList list = {std::make_shared<ScaleTo01>(), std::make_shared<Pad>(2),
                              std::make_shared<RandomTranslate>(1), std::make_shared<Pad>(1)};
  CHECK(transformed_shape(list, {1, 28, 28}) == Shape{1, 34, 34});
  CHECK(transformed_capacity(list, {1, 28, 28}) == 34 * 34);
  CHECK(transformed_shape({}, kRgb) == kRgb);
  CHECK(transformed_capacity({}, kRgb) == 48);
  // The other transforms keep the shape.
  for (const TransformList::value_type& t : list) {
    if (std::dynamic_pointer_cast<const Pad>(t)) continue;
    CHECK(t->output_shape(kRgb) == kRgb);
  }
}

TEST_CASE("Pad: bad arguments") {
  check_error([] { Pad(-1); }, {"Pad: padding must be from 0 to 16777216, got -1"});
  check_error([] { Pad(int64_t{1} << 40); }, {"Pad: padding must be from 0 to", "got 1099511627776"});
  check_error([] { Pad(1, NAN); }, {"Pad: the fill value must be finite"});
  check_error([] { Pad(1).output_shape({28, 28}); }, {"Pad: expected an image shape [C, H, W], got [28, 28]"});
}
