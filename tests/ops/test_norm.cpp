// Normalization: local_response_norm and batch_norm2d against naive double loops, gradcheck,
// PyTorch goldens, bad input, and thread-count independence.
#include <cmath>

#include "ember/kernels/norm_kernels.h"
#include "support/golden.h"
#include "support/helpers.h"

using namespace ember;
using ember::test::check_bitwise_equal;
using ember::test::check_close;
using ember::test::check_error;
using ember::test::check_gradcheck;
using ember::test::Golden;
using ember::test::random_leaf;
using ember::test::random_tensor;
using ember::test::with_threads;

namespace {

Tensor from_doubles(const std::vector<double>& v, const Shape& shape) {
  return from_vector(std::vector<float>(v.begin(), v.end()), shape);
}

// ---- local response norm, straight from the definition, in double ----

struct LrnRef {
  Tensor out, dx;
};

// out and, for upstream gradient g, dx = sum_c g[c] * d out[c] / d x[j], summing over every
// channel c and testing j in window(c) = [c - size/2, c + (size-1)/2] (no mirrored window).
LrnRef naive_lrn(const Tensor& x, const Tensor& g, int64_t size, double alpha, double beta, double k) {
  const int64_t n = x.size(0), c = x.size(1), p = x.numel() / (n * c);
  const auto xv = x.to_vector<double>();
  const auto gv = g.to_vector<double>();
  std::vector<double> out(xv.size()), dx(xv.size(), 0.0);
  auto at = [&](int64_t i, int64_t ch, int64_t pix) { return (i * c + ch) * p + pix; };
  auto in_window = [&](int64_t j, int64_t ch) { return j >= ch - size / 2 && j <= ch + (size - 1) / 2; };
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t pix = 0; pix < p; ++pix) {
      std::vector<double> d(static_cast<size_t>(c));
      for (int64_t ch = 0; ch < c; ++ch) {
        double s = 0;
        for (int64_t j = 0; j < c; ++j) {
          if (in_window(j, ch)) s += xv[at(i, j, pix)] * xv[at(i, j, pix)];
        }
        d[ch] = k + alpha / static_cast<double>(size) * s;
        out[at(i, ch, pix)] = xv[at(i, ch, pix)] / std::pow(d[ch], beta);
      }
      // out[ch] = x[ch] d[ch]^-beta; d d[ch] / d x[j] = 2 alpha / size x[j] for j in window(ch).
      for (int64_t j = 0; j < c; ++j) {
        double total = 0;
        for (int64_t ch = 0; ch < c; ++ch) {
          double deriv = ch == j ? std::pow(d[ch], -beta) : 0.0;
          if (in_window(j, ch)) {
            deriv += xv[at(i, ch, pix)] * -beta * std::pow(d[ch], -beta - 1) * 2 * alpha / static_cast<double>(size) *
                     xv[at(i, j, pix)];
          }
          total += gv[at(i, ch, pix)] * deriv;
        }
        dx[at(i, j, pix)] = total;
      }
    }
  }
  return {from_doubles(out, x.shape()), from_doubles(dx, x.shape())};
}

// ---- batch norm, in double ----

struct BnRef {
  Tensor out, dx, dweight, dbias, running_mean, running_var;
};

// weight/bias/running stats may be undefined (then 1, 0, and no update).
BnRef naive_bn(const Tensor& x, const Tensor& g, const Tensor& rm, const Tensor& rv, const Tensor& w, const Tensor& b,
               bool training, double momentum, double eps) {
  const int64_t n = x.size(0), c = x.size(1), p = x.size(2) * x.size(3), m = n * p;
  const auto xv = x.to_vector<double>(), gv = g.to_vector<double>();
  std::vector<double> out(xv.size()), dx(xv.size()), dw(static_cast<size_t>(c)), db(static_cast<size_t>(c));
  std::vector<double> new_rm, new_rv;
  if (rm.defined()) {
    new_rm = rm.to_vector<double>();
    new_rv = rv.to_vector<double>();
  }
  for (int64_t ch = 0; ch < c; ++ch) {
    std::vector<double> vals;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t pix = 0; pix < p; ++pix) vals.push_back(xv[(i * c + ch) * p + pix]);
    }
    double mean = 0, var = 0;
    if (training) {
      for (double v : vals) mean += v;
      mean /= static_cast<double>(m);
      for (double v : vals) var += (v - mean) * (v - mean);
      var /= static_cast<double>(m);
      if (rm.defined()) {
        new_rm[ch] = (1 - momentum) * new_rm[ch] + momentum * mean;
        new_rv[ch] = (1 - momentum) * new_rv[ch] + momentum * var * static_cast<double>(m) / static_cast<double>(m - 1);
      }
    } else {
      mean = rm.at({ch});
      var = rv.at({ch});
    }
    const double invstd = 1 / std::sqrt(var + eps);
    const double wc = w.defined() ? w.at({ch}) : 1.0, bc = b.defined() ? b.at({ch}) : 0.0;
    double sum_g = 0, sum_g_xhat = 0;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t pix = 0; pix < p; ++pix) {
        const int64_t idx = (i * c + ch) * p + pix;
        const double xhat = (xv[idx] - mean) * invstd;
        out[idx] = xhat * wc + bc;
        sum_g += gv[idx];
        sum_g_xhat += gv[idx] * xhat;
      }
    }
    dw[ch] = sum_g_xhat;
    db[ch] = sum_g;
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t pix = 0; pix < p; ++pix) {
        const int64_t idx = (i * c + ch) * p + pix;
        const double xhat = (xv[idx] - mean) * invstd;
        dx[idx] = training ? wc * invstd * (gv[idx] - sum_g / m - xhat * sum_g_xhat / m) : wc * invstd * gv[idx];
      }
    }
  }
  BnRef r{from_doubles(out, x.shape()),
          from_doubles(dx, x.shape()),
          from_doubles(dw, {c}),
          from_doubles(db, {c}),
          Tensor(),
          Tensor()};
  if (rm.defined()) {
    r.running_mean = from_doubles(new_rm, {c});
    r.running_var = from_doubles(new_rv, {c});
  }
  return r;
}

}  // namespace

// =============================================================================================
// local_response_norm

TEST_CASE("local_response_norm matches the definition: odd and even sizes, 3-D to 5-D, strided input") {
  struct Case {
    Shape shape;
    int64_t size;
    float alpha, beta, k;
  };
  const std::vector<Case> cases = {
      {{2, 5, 3, 4}, 1, 0.5f, 0.75f, 1.0f},
      {{2, 5, 3, 4}, 2, 0.5f, 0.75f, 1.0f},
      {{2, 5, 3, 4}, 3, 0.5f, 0.75f, 1.0f},
      {{2, 5, 3, 4}, 4, 1.0f, 0.6f, 2.0f},
      {{2, 7, 2, 3}, 5, 1e-4f, 0.75f, 2.0f},
      {{2, 7, 2, 3}, 6, 2.0f, 0.75f, 2.0f},
      {{1, 3, 2, 2}, 9, 0.8f, 0.75f, 1.0f},  // window wider than C
      {{3, 6, 5}, 3, 0.5f, 1.5f, 0.5f},      // 3-D
      {{2, 4, 2, 3, 2}, 4, 0.5f, 0.75f, 1.0f},
      {{2, 9, 17, 19}, 5, 0.3f, 0.75f, 2.0f},  // 323 pixels: more than one pixel chunk
      {{1, 1, 3, 3}, 3, 0.5f, 0.75f, 1.0f},    // one channel
      {{2, 5, 3, 4}, 3, 0.5f, 0.5f, 1.0f},     // beta 0.5 and 1: the square-root paths
      {{2, 5, 3, 4}, 2, 0.5f, 1.0f, 1.0f},
      {{2, 5, 3, 4}, 3, 0.5f, 0.0f, 1.0f},  // beta 0: out = x
      {{2, 5, 2, 2}, int64_t{1} << 40, 1e11f, 0.75f, 1.0f},  // a huge window costs no memory
  };
  for (const auto& cs : cases) {
    INFO("shape " << shape_str(cs.shape) << " size " << cs.size);
    Tensor x = random_leaf(cs.shape, 11, -2.0f, 2.0f);
    const Tensor g = random_tensor(cs.shape, 12);
    const LrnRef ref = naive_lrn(x, g, cs.size, cs.alpha, cs.beta, cs.k);
    Tensor out = local_response_norm(x, cs.size, cs.alpha, cs.beta, cs.k);
    check_close(out, ref.out, 1e-6, 1e-5);
    out.backward(g);
    check_close(x.grad(), ref.dx, 1e-6, 1e-5);
  }
  // k = 0 and an all-zero pixel: d = 0 there (0 / 0 = NaN, as PyTorch), and std::pow handles it.
  for (float beta : {0.75f, 0.6f}) {
    Tensor z = random_tensor({2, 4, 3, 3}, 15, -2.0f, 2.0f);
    for (int64_t ch = 0; ch < 4; ++ch) z.set({1, ch, 2, 1}, 0.0f);
    const Tensor out = local_response_norm(z, 3, 0.5f, beta, 0.0f);
    check_close(out, naive_lrn(z, z, 3, 0.5, beta, 0.0).out, 1e-6, 1e-5);
    CHECK(std::isnan(out.at({1, 2, 2, 1})));
  }
  // A strided (transposed) input gives the same result as its contiguous copy.
  const Tensor base = random_tensor({2, 3, 6, 5}, 13);
  const Tensor strided = base.transpose(2, 3);
  check_bitwise_equal(local_response_norm(strided, 3, 0.5f), local_response_norm(strided.contiguous(), 3, 0.5f));
  const Tensor g = random_tensor(strided.shape(), 14);
  CHECK_FALSE(strided.is_contiguous());
  check_close(local_response_norm(strided, 3, 0.5f), naive_lrn(strided, g, 3, 0.5, 0.75, 1.0).out, 1e-6, 1e-5);
}

TEST_CASE("local_response_norm: running-window kernel equals the naive kernel, also around inf and NaN") {
  const int64_t n = 2, c = 11, p = 300;  // two pixel chunks
  const kernels::LrnParams prm{4, 0.7f, 0.75f, 1.5f};
  Tensor x = random_tensor({n, c, p}, 21, -3.0f, 3.0f);
  x.set({0, 5, 7}, INFINITY);  // pixel 7: channels 3..6 see an infinite window sum
  x.set({1, 0, 299}, NAN);     // pixel 299: channels 0..2 are NaN
  x.set({1, 9, 10}, -INFINITY);
  Tensor fast = empty(x.shape()), fast_q = empty(x.shape()), fast_p = empty(x.shape());
  Tensor slow = empty(x.shape()), slow_q = empty(x.shape()), slow_p = empty(x.shape());
  kernels::lrn_forward(x.data<float>(), fast.data<float>(), fast_q.data<float>(), fast_p.data<float>(), n, c, p, prm);
  kernels::lrn_forward_naive(x.data<float>(), slow.data<float>(), slow_q.data<float>(), slow_p.data<float>(), n, c, p,
                             prm);
  check_close(fast, slow, 1e-7, 1e-6);
  check_close(fast_q, slow_q, 1e-7, 1e-6);
  check_close(fast_p, slow_p, 1e-7, 1e-6);
  // Non-finite values stay in their windows, as in PyTorch.
  // size 4: channel 5 is in the windows of channels 4 .. 7.
  CHECK(std::isnan(fast.at({0, 5, 7})));                            // inf / inf
  for (int64_t ch : {4, 6, 7}) CHECK(fast.at({0, ch, 7}) == 0.0f);  // finite / inf
  for (int64_t ch : {3, 8}) {                                       // outside: untouched
    CHECK(std::isfinite(fast.at({0, ch, 7})));
    CHECK(fast.at({0, ch, 7}) != 0.0f);
  }
  CHECK(std::isnan(fast.at({1, 2, 299})));
  CHECK(std::isfinite(fast.at({1, 3, 299})));

  const Tensor g = random_tensor(x.shape(), 22);
  const Tensor xf = random_tensor({n, c, p}, 23, -3.0f, 3.0f);  // finite input for the backward comparison
  kernels::lrn_forward(xf.data<float>(), fast.data<float>(), fast_q.data<float>(), fast_p.data<float>(), n, c, p, prm);
  Tensor dx_fast = empty(x.shape()), dx_slow = empty(x.shape());
  kernels::lrn_backward(g.data<float>(), xf.data<float>(), fast_q.data<float>(), fast_p.data<float>(),
                        dx_fast.data<float>(), n, c, p, prm);
  kernels::lrn_backward_naive(g.data<float>(), xf.data<float>(), fast_q.data<float>(), fast_p.data<float>(),
                              dx_slow.data<float>(), n, c, p, prm);
  check_close(dx_fast, dx_slow, 1e-6, 1e-5);
  // A NaN upstream gradient: the fast backward falls back to direct sums for that pixel.
  Tensor g_nan = g.clone();
  g_nan.set({0, 4, 3}, NAN);
  kernels::lrn_backward(g_nan.data<float>(), xf.data<float>(), fast_q.data<float>(), fast_p.data<float>(),
                        dx_fast.data<float>(), n, c, p, prm);
  kernels::lrn_backward_naive(g_nan.data<float>(), xf.data<float>(), fast_q.data<float>(), fast_p.data<float>(),
                              dx_slow.data<float>(), n, c, p, prm);
  check_close(dx_fast, dx_slow, 1e-6, 1e-5);
  CHECK(std::isfinite(dx_fast.at({0, 0, 3})));  // channel 0 is outside every window that holds channel 4
  CHECK(std::isnan(dx_fast.at({0, 3, 3})));
}

TEST_CASE("local_response_norm gradcheck") {
  for (int64_t size : {1, 2, 3, 4, 5}) {
    INFO("size " << size);
    check_gradcheck([size](const TensorList& in) { return local_response_norm(in[0], size, 1.5f, 0.75f, 1.0f); },
                    {random_leaf({2, 6, 2, 3}, 30 + static_cast<uint64_t>(size), -1.5f, 1.5f)});
  }
  check_gradcheck([](const TensorList& in) { return local_response_norm(in[0], 3, 0.5f, 1.7f, 0.3f); },
                  {random_leaf({2, 5, 4}, 40, -1.5f, 1.5f)});
}

TEST_CASE("local_response_norm matches PyTorch") {
  const Golden g("norm");
  for (const std::string c : {"lrn_s3", "lrn_s2", "lrn_s4", "lrn_s5_alexnet", "lrn_s5_strong", "lrn_s1",
                              "lrn_window_gt_c", "lrn_beta_1p5_k0p5", "lrn_3d", "lrn_5d"}) {
    INFO("golden case " << c);
    Tensor x = g[c + ".x"].detach();
    x.requires_grad_();
    Tensor out = local_response_norm(x, static_cast<int64_t>(g.scalar(c + ".size")), g.scalar(c + ".alpha"),
                                     g.scalar(c + ".beta"), g.scalar(c + ".k"));
    check_close(out, g[c + ".out"], 1e-6, 1e-5);
    out.backward(g[c + ".grad_out"]);
    check_close(x.grad(), g[c + ".grad_x"], 1e-5, 1e-4);
  }
}

TEST_CASE("local_response_norm: graph, empty input, in-place modification") {
  const Tensor x = random_tensor({2, 3, 2, 2}, 50);
  CHECK(local_response_norm(x, 3).grad_fn() == nullptr);
  Tensor leaf = random_leaf({2, 3, 2, 2}, 51);
  Tensor out = local_response_norm(leaf, 3);
  REQUIRE(out.grad_fn() != nullptr);
  CHECK(out.grad_fn()->name() == "LocalResponseNormBackward");
  {
    NoGradGuard no_grad;
    CHECK(local_response_norm(leaf, 3).grad_fn() == nullptr);
  }
  const Tensor empty_x = zeros({0, 3, 2, 2});
  CHECK(local_response_norm(empty_x, 3).is_same(empty_x));

  Tensor y = random_tensor({2, 3, 2, 2}, 52);
  Tensor w = random_leaf({2, 3, 2, 2}, 53);
  Tensor z = local_response_norm(mul(y, w), 3, 0.5f);
  z.sum().backward();  // fine
  Tensor h = mul(y, w);
  Tensor z2 = local_response_norm(h, 3, 0.5f);
  {
    NoGradGuard no_grad;
    h.add_(1.0f);
  }
  check_error([&] { z2.sum().backward(); }, {"LocalResponseNormBackward", "in-place"});
}

TEST_CASE("local_response_norm rejects bad input") {
  const Tensor x = ones({2, 3, 4, 4});
  check_error(
      [&] {
        (void)local_response_norm(ones({2, 3}), 3);
      },
      {"local_response_norm", "at least 3 dims", "[2, 3]"});
  check_error([&] { (void)local_response_norm(x, 0); }, {"local_response_norm", "size", "at least 1", "got 0"});
  check_error([&] { (void)local_response_norm(x, -2); }, {"local_response_norm", "got -2"});
  check_error([&] { (void)local_response_norm(x, 3, NAN); }, {"local_response_norm", "finite", "alpha nan"});
  check_error([&] { (void)local_response_norm(x, 3, 1e-4f, INFINITY); }, {"local_response_norm", "beta inf"});
  check_error(
      [&] {
        (void)local_response_norm(zeros({2, 3, 4}, DType::i64), 3);
      },
      {"local_response_norm", "float32", "int64 [2, 3, 4]"});
  check_error([&] { (void)local_response_norm(Tensor(), 3); }, {"local_response_norm", "'x'", "undefined"});
}

// =============================================================================================
// batch_norm2d

TEST_CASE("batch_norm2d matches the definition: training and eval, with and without affine") {
  struct Case {
    Shape shape;
    bool training, affine, stats;
    float momentum, eps, offset;
  };
  const std::vector<Case> cases = {
      {{4, 3, 5, 5}, true, true, true, 0.1f, 1e-5f, 0.0f},   {{3, 5, 2, 3}, true, false, true, 0.1f, 1e-5f, 0.0f},
      {{2, 7, 3, 3}, true, true, false, 0.1f, 1e-5f, 0.0f},  {{2, 3, 4, 4}, true, true, true, 0.5f, 1e-3f, 50.0f},
      {{2, 3, 1, 1}, true, true, true, 1.0f, 1e-5f, 0.0f},   {{3, 4, 3, 3}, false, true, true, 0.1f, 1e-5f, 0.0f},
      {{2, 5, 2, 2}, false, false, true, 0.1f, 1e-5f, 0.0f}, {{1, 3, 7, 5}, true, true, true, 0.0f, 0.1f, -3.0f},
  };
  for (const auto& cs : cases) {
    INFO("shape " << shape_str(cs.shape) << (cs.training ? " training" : " eval") << (cs.affine ? " affine" : ""));
    const int64_t c = cs.shape[1];
    Tensor x = add(random_tensor(cs.shape, 60, -2.0f, 2.0f), cs.offset).detach().requires_grad_();
    Tensor w = cs.affine ? random_leaf({c}, 61, 0.5f, 1.5f) : Tensor();
    Tensor b = cs.affine ? random_leaf({c}, 62) : Tensor();
    Tensor rm = cs.stats ? random_tensor({c}, 63) : Tensor();
    Tensor rv = cs.stats ? random_tensor({c}, 64, 0.5f, 2.0f) : Tensor();
    const Tensor g = random_tensor(cs.shape, 65);
    const BnRef ref = naive_bn(x, g, rm, rv, w, b, cs.training, cs.momentum, cs.eps);
    const uint64_t version = rm.defined() ? rm.version() : 0;
    Tensor out = batch_norm2d(x, rm, rv, w, b, cs.training, cs.momentum, cs.eps);
    check_close(out, ref.out, 1e-5, 1e-5);
    out.backward(g);
    check_close(x.grad(), ref.dx, 1e-5, 1e-4);
    if (cs.affine) {
      check_close(w.grad(), ref.dweight, 1e-5, 1e-5);
      check_close(b.grad(), ref.dbias, 1e-5, 1e-5);
    }
    if (cs.training && cs.stats) {
      check_close(rm, ref.running_mean, 1e-6, 1e-6);
      check_close(rv, ref.running_var, 1e-6, 1e-6);
      CHECK(rm.version() > version);
    } else if (cs.stats) {
      CHECK(rm.version() == version);
    }
  }
}

TEST_CASE("batch_norm2d: only the needed gradients, strided arguments, weight without bias") {
  // x does not require grad: only weight and bias get gradients.
  const Tensor x = random_tensor({2, 3, 4, 4}, 70);
  Tensor w = random_leaf({3}, 71), b = random_leaf({3}, 72);
  const Tensor g = random_tensor({2, 3, 4, 4}, 73);
  batch_norm2d(x, Tensor(), Tensor(), w, b, true).backward(g);
  const BnRef ref = naive_bn(x, g, Tensor(), Tensor(), w, b, true, 0.1, 1e-5);
  check_close(w.grad(), ref.dweight, 1e-5, 1e-5);
  check_close(b.grad(), ref.dbias, 1e-5, 1e-5);
  // Nothing requires grad: no graph.
  CHECK(batch_norm2d(x, Tensor(), Tensor(), Tensor(), Tensor(), true).grad_fn() == nullptr);

  // Strided x, weight and running stats (every other element of a longer buffer).
  const Tensor xs = random_tensor({2, 4, 3, 5}, 74).transpose(2, 3);
  const Tensor wbuf = random_tensor({8}, 75, 0.5f, 1.5f), rmbuf = random_tensor({8}, 76),
               rvbuf = random_tensor({8}, 77, 1.0f, 2.0f);
  const Tensor ws = wbuf.slice(0, 0, 8, 2), rms = rmbuf.slice(0, 1, 8, 2), rvs = rvbuf.slice(0, 1, 8, 2);
  const Tensor rm_copy = rms.clone(), rv_copy = rvs.clone(), rmbuf_before = rmbuf.clone();
  const Tensor gs = random_tensor(xs.shape(), 78);
  const BnRef sref = naive_bn(xs, gs, rm_copy, rv_copy, ws, Tensor(), true, 0.1, 1e-5);
  check_close(batch_norm2d(xs, rms, rvs, ws, Tensor(), true), sref.out, 1e-5, 1e-5);
  check_close(rms, sref.running_mean, 1e-6, 1e-6);
  check_close(rvs, sref.running_var, 1e-6, 1e-6);
  for (int64_t i = 0; i < 8; i += 2) CHECK(rmbuf.at({i}) == rmbuf_before.at({i}));  // the others are untouched
  const BnRef eref = naive_bn(xs, gs, rms, rvs, ws, Tensor(), false, 0.1, 1e-5);
  check_close(batch_norm2d(xs, rms, rvs, ws, Tensor(), false), eref.out, 1e-5, 1e-5);
}

TEST_CASE("batch_norm2d: eval backward uses the stats of its forward, not later updates") {
  Tensor x = random_leaf({2, 3, 2, 2}, 80);
  Tensor rm = random_tensor({3}, 81), rv = random_tensor({3}, 82, 0.5f, 2.0f);
  const Tensor g = random_tensor({2, 3, 2, 2}, 83);
  Tensor w = random_leaf({3}, 84);
  const BnRef ref = naive_bn(x, g, rm, rv, w, Tensor(), false, 0.1, 1e-5);
  Tensor out = batch_norm2d(x, rm, rv, w, Tensor(), false);
  CHECK(out.grad_fn()->name() == "BatchNorm2dEvalBackward");
  (void)batch_norm2d(x.detach(), rm, rv, Tensor(), Tensor(), true, 0.9f);  // moves the running stats
  out.backward(g);
  check_close(x.grad(), ref.dx, 1e-5, 1e-5);
  check_close(w.grad(), ref.dweight, 1e-5, 1e-5);
}

TEST_CASE("batch_norm2d gradcheck") {
  Tensor rm = zeros({3}), rv = ones({3}), rm5 = random_tensor({5}, 96), rv5 = random_tensor({5}, 97, 0.5f, 2.0f);
  for (bool training : {true, false}) {
    INFO("training " << training);
    check_gradcheck(
        [&](const TensorList& in) { return batch_norm2d(in[0], rm, rv, in[1], in[2], training); },
        {random_leaf({3, 3, 2, 3}, 90, -2.0f, 2.0f), random_leaf({3}, 91, 0.5f, 1.5f), random_leaf({3}, 92)});
    check_gradcheck([&](const TensorList& in) { return batch_norm2d(in[0], rm5, rv5, Tensor(), Tensor(), training); },
                    {random_leaf({2, 5, 2, 2}, 93, -2.0f, 2.0f)});
  }
  // M = 2, the smallest training batch: the normalized values are +-1, a steep function.
  check_gradcheck([&](const TensorList& in) { return batch_norm2d(in[0], Tensor(), Tensor(), in[1], Tensor(), true); },
                  {random_leaf({2, 3, 1, 1}, 94, -2.0f, 2.0f), random_leaf({3}, 95)});
}

TEST_CASE("batch_norm2d matches PyTorch, including the running stats") {
  const Golden g("norm");
  for (const std::string c : {"bn_train_affine", "bn_train_noaffine", "bn_train_nostats", "bn_train_momentum",
                              "bn_train_m2", "bn_eval_affine", "bn_eval_noaffine", "bn_train_weight_only"}) {
    INFO("golden case " << c);
    Tensor x = g[c + ".x"].detach();
    x.requires_grad_();
    auto leaf_or_none = [&](const std::string& name) {
      if (!g.contains(c + "." + name)) return Tensor();
      Tensor t = g[c + "." + name].detach();
      t.requires_grad_();
      return t;
    };
    Tensor w = leaf_or_none("weight"), b = leaf_or_none("bias");
    Tensor rm = g.contains(c + ".running_mean") ? g[c + ".running_mean"].clone() : Tensor();
    Tensor rv = g.contains(c + ".running_var") ? g[c + ".running_var"].clone() : Tensor();
    const bool training = g.scalar(c + ".training") > 0.5f;
    Tensor out = batch_norm2d(x, rm, rv, w, b, training, g.scalar(c + ".momentum"), g.scalar(c + ".eps"));
    check_close(out, g[c + ".out"], 1e-5, 1e-4);
    out.backward(g[c + ".grad_out"]);
    check_close(x.grad(), g[c + ".grad_x"], 1e-5, 1e-4);
    if (w.defined()) check_close(w.grad(), g[c + ".grad_weight"], 1e-5, 1e-4);
    if (b.defined()) check_close(b.grad(), g[c + ".grad_bias"], 1e-5, 1e-4);
    if (training && rm.defined()) {
      check_close(rm, g[c + ".running_mean_after"], 1e-6, 1e-5);
      check_close(rv, g[c + ".running_var_after"], 1e-6, 1e-5);
    } else if (rm.defined()) {
      check_bitwise_equal(rm, g[c + ".running_mean"]);
      check_bitwise_equal(rv, g[c + ".running_var"]);
    }
  }
}

TEST_CASE("batch_norm2d rejects bad input") {
  const Tensor x = ones({2, 3, 4, 4});
  const Tensor rm = zeros({3}), rv = ones({3}), w = ones({3}), b = zeros({3});
  check_error(
      [&] {
        (void)batch_norm2d(ones({2, 3, 4}), rm, rv, w, b, true);
      },
      {"batch_norm2d", "4-D [N, C, H, W]", "[2, 3, 4]"});
  check_error([&] { (void)batch_norm2d(x, zeros({4}), rv, w, b, true); },
              {"batch_norm2d", "running_mean", "[4]", "3 channels", "[3]", "[2, 3, 4, 4]"});
  check_error([&] { (void)batch_norm2d(x, rm, ones({2}), w, b, false); }, {"batch_norm2d", "running_var", "[2]"});
  check_error([&] { (void)batch_norm2d(x, rm, rv, ones({3, 1}), b, true); }, {"batch_norm2d", "weight", "[3, 1]"});
  check_error([&] { (void)batch_norm2d(x, rm, rv, w, zeros({5}), true); },
              {"batch_norm2d", "bias", "[5]", "3 channels"});
  check_error([&] { (void)batch_norm2d(x, Tensor(), Tensor(), w, b, false); },
              {"batch_norm2d", "running_mean", "undefined", "eval mode"});
  check_error([&] { (void)batch_norm2d(x, rm, Tensor(), w, b, true); },
              {"batch_norm2d", "must both be defined or both undefined", "running_var undefined"});
  check_error([&] { (void)batch_norm2d(x, rm, rv, w, b, true, 0.1f, 0.0f); },
              {"batch_norm2d", "eps", "positive", "got 0"});
  check_error([&] { (void)batch_norm2d(x, rm, rv, w, b, true, 0.1f, -1e-5f); }, {"batch_norm2d", "eps"});
  check_error([&] { (void)batch_norm2d(x, rm, rv, w, b, true, -0.1f); },
              {"batch_norm2d", "momentum", "non-negative", "-0.1"});
  check_error([&] { (void)batch_norm2d(x, rm, rv, w, b, true, NAN); }, {"batch_norm2d", "momentum", "nan"});
  check_error(
      [&] {
        (void)batch_norm2d(zeros({2, 3, 4, 4}, DType::i64), rm, rv, w, b, true);
      },
      {"batch_norm2d", "'x'", "float32", "int64"});
  check_error([&] { (void)batch_norm2d(x, zeros({3}, DType::i64), rv, w, b, true); },
              {"batch_norm2d", "'running_mean'", "int64"});
  check_error([&] { (void)batch_norm2d(Tensor(), rm, rv, w, b, true); }, {"batch_norm2d", "'x'", "undefined"});
  check_error(
      [&] {
        (void)batch_norm2d(ones({1, 3, 1, 1}), rm, rv, w, b, true);
      },
      {"batch_norm2d", "more than one value per channel", "[1, 3, 1, 1]"});
  (void)batch_norm2d(ones({1, 3, 1, 1}), rm, rv, w, b, false);  // eval with one value is fine
}

// =============================================================================================

TEST_CASE("norm ops are bitwise identical for 1 and 2 threads") {
  auto run = [] {
    TensorList results;
    Tensor x = random_leaf({16, 48, 18, 18}, 100, -2.0f, 2.0f);
    Tensor out = local_response_norm(x, 5, 1e-3f, 0.75f, 2.0f);
    out.backward(random_tensor(out.shape(), 101));
    results.push_back(out.detach());
    results.push_back(x.grad());

    Tensor xb = random_leaf({16, 64, 12, 12}, 102, -2.0f, 3.0f);
    Tensor w = random_leaf({64}, 103), b = random_leaf({64}, 104);
    Tensor rm = zeros({64}), rv = ones({64});
    Tensor y = batch_norm2d(xb, rm, rv, w, b, true);
    y.backward(random_tensor(y.shape(), 105));
    for (const Tensor& t : {y.detach(), xb.grad(), w.grad(), b.grad(), rm, rv}) results.push_back(t);
    return results;
  };
  TensorList one, two;
  with_threads(1, [&] { one = run(); });
  with_threads(2, [&] { two = run(); });
  REQUIRE(one.size() == two.size());
  for (size_t i = 0; i < one.size(); ++i) {
    INFO("result " << i);
    check_bitwise_equal(one[i], two[i]);
  }
}
