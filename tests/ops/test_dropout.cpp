// Dropout: no PyTorch golden is possible for a random mask, so the statistics, the draw order,
// seeding, the gradient, the identity cases and bad input are checked.
#include <cmath>

#include "support/helpers.h"

using namespace ember;
using ember::test::check_bitwise_equal;
using ember::test::check_close;
using ember::test::check_error;
using ember::test::check_gradcheck;
using ember::test::random_leaf;
using ember::test::random_tensor;
using ember::test::with_threads;

namespace {

// Values with |v| in [0.5, 2): an output of 0 means "dropped".
Tensor away_from_zero(const Shape& shape, uint64_t seed) {
  auto mag = random_tensor(shape, seed, 0.5f, 2.0f).to_vector();
  const auto sign = random_tensor(shape, seed + 1000).to_vector();
  for (size_t i = 0; i < mag.size(); ++i) mag[i] = sign[i] < 0 ? -mag[i] : mag[i];
  return from_vector(mag, shape);
}

}  // namespace

TEST_CASE("dropout keeps a fraction 1 - p, scales by 1 / (1 - p) and preserves the mean") {
  const int64_t n = 400000;
  const Tensor x = ones({n});
  for (float p : {0.1f, 0.5f, 0.8f}) {
    INFO("p " << p);
    Generator gen(7);
    const auto out = dropout(x, p, true, &gen).to_vector();
    const float scale = static_cast<float>(1.0 / (1.0 - p));
    int64_t kept = 0;
    double total = 0;
    for (float v : out) {
      REQUIRE((v == 0.0f || v == scale));
      kept += v != 0.0f;
      total += v;
    }
    const double fraction = static_cast<double>(kept) / n;
    const double sigma = std::sqrt(p * (1.0 - p) / n);
    CHECK(std::abs(fraction - (1.0 - p)) < 5 * sigma);
    CHECK(std::abs(total / n - 1.0) < 5 * sigma * scale);  // E[out] = x
  }
}

TEST_CASE("dropout2d zeroes whole channels") {
  const Tensor x = away_from_zero({64, 128, 3, 2}, 1);
  Generator gen(8);
  const float p = 0.3f, scale = static_cast<float>(1.0 / 0.7);
  const Tensor out = dropout2d(x, p, true, &gen);
  int64_t kept = 0;
  for (int64_t i = 0; i < 64; ++i) {
    for (int64_t c = 0; c < 128; ++c) {
      const bool keep = out.at({i, c, 0, 0}) != 0.0f;
      kept += keep;
      for (int64_t h = 0; h < 3; ++h) {
        for (int64_t w = 0; w < 2; ++w) {
          REQUIRE(out.at({i, c, h, w}) == (keep ? x.at({i, c, h, w}) * scale : 0.0f));
        }
      }
    }
  }
  const double fraction = static_cast<double>(kept) / (64 * 128);
  CHECK(std::abs(fraction - 0.7) < 5 * std::sqrt(0.21 / (64 * 128)));
}

TEST_CASE("dropout masks come from the generator in row-major order") {
  // Element i is kept when the i-th uniform draw is below 1 - p: the same draws rand() makes.
  const Tensor x = away_from_zero({5, 7, 3}, 2);
  const float p = 0.4f, scale = static_cast<float>(1.0 / 0.6);
  Generator a(11), b(11);
  const Tensor out = dropout(x, p, true, &a);
  const Tensor u = rand({5, 7, 3}, &b);
  const auto xv = x.to_vector(), uv = u.to_vector(), ov = out.to_vector();
  for (size_t i = 0; i < xv.size(); ++i) CHECK(ov[i] == (uv[i] < 0.6f ? xv[i] * scale : 0.0f));
  CHECK(a.state() == b.state());  // exactly numel draws

  // dropout2d: one draw per (n, c).
  const Tensor x4 = away_from_zero({3, 4, 2, 2}, 3);
  Generator c(12), d(12);
  const Tensor out4 = dropout2d(x4, p, true, &c);
  const Tensor u4 = rand({3, 4}, &d);
  for (int64_t i = 0; i < 3; ++i) {
    for (int64_t ch = 0; ch < 4; ++ch) {
      CHECK((out4.at({i, ch, 1, 0}) != 0.0f) == (u4.at({i, ch}) < 0.6f));
    }
  }
  CHECK(c.state() == d.state());
}

TEST_CASE("dropout: seeds reproduce masks; strided input; default generator") {
  const Tensor x = away_from_zero({50, 40}, 4);
  Generator a(5), b(5), c(6);
  const Tensor first = dropout(x, 0.5f, true, &a);
  check_bitwise_equal(first, dropout(x, 0.5f, true, &b));
  CHECK(first.to_vector() != dropout(x, 0.5f, true, &c).to_vector());
  CHECK(first.to_vector() != dropout(x, 0.5f, true, &a).to_vector());  // the stream moved on

  // A transposed view: the mask follows the view's logical (row-major) order.
  const Tensor xt = x.t();
  Generator s1(9), s2(9);
  check_bitwise_equal(dropout(xt, 0.25f, true, &s1), dropout(xt.contiguous(), 0.25f, true, &s2));

  manual_seed(42);
  const Tensor d1 = dropout(x, 0.5f);
  manual_seed(42);
  check_bitwise_equal(d1, dropout(x, 0.5f));
  manual_seed(42);
  check_bitwise_equal(d1, dropout(x, 0.5f, true, &default_generator()));
}

TEST_CASE("dropout is bitwise identical for 1 and 2 threads") {
  auto run = [] {
    Tensor x = random_leaf({256, 1024}, 5);
    Generator gen(13);
    Tensor out = dropout(x, 0.5f, true, &gen);
    out.backward(random_tensor(out.shape(), 6));
    Tensor y = random_leaf({32, 64, 8, 8}, 7);
    Tensor out2 = dropout2d(y, 0.3f, true, &gen);
    out2.backward(random_tensor(out2.shape(), 8));
    return TensorList{out.detach(), x.grad(), out2.detach(), y.grad()};
  };
  TensorList one, two;
  with_threads(1, [&] { one = run(); });
  with_threads(2, [&] { two = run(); });
  for (size_t i = 0; i < one.size(); ++i) check_bitwise_equal(one[i], two[i]);
}

TEST_CASE("dropout gradient is the mask times 1 / (1 - p)") {
  for (float p : {0.2f, 0.5f, 0.9f}) {
    INFO("p " << p);
    const float scale = static_cast<float>(1.0 / (1.0 - p));
    Tensor x = away_from_zero({6, 7}, 10).requires_grad_();
    Generator gen(14);
    Tensor out = dropout(x, p, true, &gen);
    CHECK(out.grad_fn()->name() == "DropoutBackward");
    const Tensor g = random_tensor({6, 7}, 15);
    out.backward(g);
    const auto ov = out.to_vector(), gv = g.to_vector(), dv = x.grad().to_vector();
    for (size_t i = 0; i < ov.size(); ++i) CHECK(dv[i] == (ov[i] != 0.0f ? gv[i] * scale : 0.0f));

    Tensor x4 = away_from_zero({2, 3, 2, 2}, 11).requires_grad_();
    Tensor out4 = dropout2d(x4, p, true, &gen);
    CHECK(out4.grad_fn()->name() == "Dropout2dBackward");
    const Tensor g4 = random_tensor({2, 3, 2, 2}, 16);
    out4.backward(g4);
    const auto o4 = out4.to_vector(), g4v = g4.to_vector(), d4 = x4.grad().to_vector();
    for (size_t i = 0; i < o4.size(); ++i) CHECK(d4[i] == (o4[i] != 0.0f ? g4v[i] * scale : 0.0f));
  }
  // gradcheck with a fixed mask: a fresh generator of the same seed in every evaluation.
  check_gradcheck(
      [](const TensorList& in) {
        Generator gen(17);
        return dropout(in[0], 0.4f, true, &gen);
      },
      {random_leaf({5, 6}, 18)});
  check_gradcheck(
      [](const TensorList& in) {
        Generator gen(19);
        return dropout2d(in[0], 0.4f, true, &gen);
      },
      {random_leaf({2, 4, 2, 3}, 20)});
}

TEST_CASE("dropout is the identity in eval mode and for p = 0; p = 1 gives zeros") {
  Tensor x = random_leaf({4, 3, 2, 2}, 21);
  Generator gen(22);
  const auto state = gen.state();
  CHECK(dropout(x, 0.5f, false, &gen).is_same(x));
  CHECK(dropout(x, 0.0f, true, &gen).is_same(x));
  CHECK(dropout2d(x, 0.5f, false, &gen).is_same(x));
  CHECK(dropout2d(x, 0.0f, true, &gen).is_same(x));
  CHECK(gen.state() == state);  // no draws

  for (int which = 0; which < 2; ++which) {
    Tensor leaf = random_leaf({4, 3, 2, 2}, 23);
    Tensor out = which == 0 ? dropout(leaf, 1.0f, true, &gen) : dropout2d(leaf, 1.0f, true, &gen);
    check_bitwise_equal(out, zeros({4, 3, 2, 2}));
    out.backward(ones({4, 3, 2, 2}));
    check_bitwise_equal(leaf.grad(), zeros({4, 3, 2, 2}));
  }
  // Without grad: no graph.
  CHECK(dropout(random_tensor({3}, 24), 0.5f, true, &gen).grad_fn() == nullptr);
  NoGradGuard no_grad;
  CHECK(dropout(x, 0.5f, true, &gen).grad_fn() == nullptr);
}

TEST_CASE("dropout rejects bad input") {
  const Tensor x = ones({2, 3, 4, 4});
  check_error([&] { (void)dropout(x, -0.1f); }, {"dropout", "p", "[0, 1]", "-0.1"});
  check_error([&] { (void)dropout(x, 1.5f); }, {"dropout", "1.5"});
  check_error([&] { (void)dropout(x, NAN); }, {"dropout", "nan"});
  check_error([&] { (void)dropout(x, 1.5f, false); }, {"dropout", "1.5"});  // checked in eval mode too
  check_error([&] { (void)dropout(labels({1, 2}), 0.5f); }, {"dropout", "float32", "int64 [2]"});
  check_error([&] { (void)dropout(Tensor(), 0.5f); }, {"dropout", "'x'", "undefined"});
  check_error([&] { (void)dropout2d(ones({2, 3, 4}), 0.5f); }, {"dropout2d", "4-D [N, C, H, W]", "[2, 3, 4]"});
  check_error([&] { (void)dropout2d(x, 2.0f); }, {"dropout2d", "[0, 1]", "got 2"});
  check_error([&] { (void)dropout2d(zeros({2, 3, 4, 4}, DType::i64), 0.5f); }, {"dropout2d", "float32", "int64"});
}
