// Reductions: sum and mean (all, or over dims with keepdim), max with indices, max, argmax.
//
// Each op gets (a) a comparison with a naive double-precision loop over 0-d, odd-sized, strided,
// empty and large (parallel) inputs and every dims combination, plus the special values the
// contract names (NaN wins a max, ties go to the first index), (b) gradcheck, and (c) its misuse
// errors. A last test checks that sums are bitwise identical for 1 and 2 threads.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "support/helpers.h"
#include "support/reference.h"

using namespace ember;
using namespace ember::test;

namespace {

using Dims = std::vector<int64_t>;

// Which dims `dims` covers (empty = all), negative dims counted from the end.
std::vector<bool> ref_mask(int64_t ndim, const Dims& dims) {
  std::vector<bool> mask(static_cast<size_t>(ndim), dims.empty());
  for (int64_t d : dims) {
    if (ndim > 0) mask[static_cast<size_t>(d < 0 ? d + ndim : d)] = true;
  }
  return mask;
}

// Naive sum (or mean) over dims, accumulated in double.
Tensor ref_sum(const Tensor& x, const Dims& dims, bool keepdim, bool mean = false) {
  const auto mask = ref_mask(x.dim(), dims);
  Shape kept = x.shape(), dropped;
  int64_t count = 1;
  for (size_t d = 0; d < kept.size(); ++d) {
    if (mask[d]) {
      count *= kept[d];
      kept[d] = 1;
    } else {
      dropped.push_back(kept[d]);
    }
  }
  std::vector<double> acc(static_cast<size_t>(count_of(kept)), 0.0);
  for_each_index(x.shape(), [&](const Index& i) {
    Index j = i;
    for (size_t d = 0; d < j.size(); ++d) {
      if (mask[d]) j[d] = 0;
    }
    acc[static_cast<size_t>(flat_index(kept, j))] += read(x, i);
  });
  if (mean) {
    for (double& v : acc) v /= static_cast<double>(count);
  }
  return from_doubles(acc, keepdim ? kept : dropped);
}

// Naive max along dim: the first NaN if there is one, else the first maximal element.
std::pair<Tensor, Tensor> ref_max(const Tensor& x, int64_t dim, bool keepdim) {
  if (x.dim() == 0) return {from_doubles({read(x, {})}, {}), from_vector(std::vector<int64_t>{0}, {})};
  const int64_t d = dim < 0 ? dim + x.dim() : dim;
  Shape kept = x.shape(), dropped = x.shape();
  kept[d] = 1;
  dropped.erase(dropped.begin() + d);
  std::vector<double> values;
  std::vector<int64_t> indices;
  for_each_index(kept, [&](const Index& start) {
    Index j = start;
    double best = read(x, j);
    int64_t best_at = 0;
    for (j[d] = 1; j[d] < x.shape()[d] && !std::isnan(best); ++j[d]) {
      const double v = read(x, j);
      if (std::isnan(v) || v > best) {
        best = v;
        best_at = j[d];
      }
    }
    values.push_back(best);
    indices.push_back(best_at);
  });
  const Shape shape = keepdim ? kept : dropped;
  return {from_doubles(values, shape), from_vector(indices, shape)};
}

std::vector<UnaryCase> cases() {
  auto r = [](const Shape& s, uint64_t seed) { return random_tensor(s, seed, -1, 1); };
  return {
      {"contiguous [2, 3, 4]", r({2, 3, 4}, 11)},
      {"0-d", r({}, 12)},
      {"odd [7]", r({7}, 13)},
      {"odd [3, 5, 7]", r({3, 5, 7}, 14)},
      {"size-1 dims [5, 1, 3]", r({5, 1, 3}, 15)},
      {"[1]", r({1}, 16)},
      {"transposed [4, 3]^T", r({4, 3}, 17).t()},
      {"slice with step 2", r({3, 9}, 18).slice(1, 0, 9, 2)},
      {"expanded [3, 1] -> [3, 5]", r({3, 1}, 19).expand({3, 5})},
      {"expanded with a new leading dim", r({4}, 20).expand({3, 2, 4})},
      {"permuted [2, 3, 4]", r({2, 3, 4}, 21).permute({2, 0, 1})},
      {"narrowed (offset view)", r({5, 9}, 22).narrow(0, 2, 3).narrow(1, 1, 7)},
      {"contiguous with an offset", r({5, 9, 2}, 27).narrow(0, 1, 3)},
      {"large [331, 317]", r({331, 317}, 23)},
      {"large transposed", r({317, 331}, 24).t()},
      {"large 3-d [40, 50, 60]", r({40, 50, 60}, 25)},
      {"large strided 3-d", r({40, 100, 60}, 26).slice(1, 1, 100, 2).permute({2, 0, 1})},
  };
}

// Every dims list worth trying for a tensor of this rank: each single dim (positive and negative),
// each pair in both orders, and all dims listed explicitly.
std::vector<Dims> dims_lists(int64_t ndim) {
  std::vector<Dims> out;
  if (ndim == 0) return {{0}, {-1}};
  for (int64_t d = 0; d < ndim; ++d) {
    out.push_back({d});
    out.push_back({d - ndim});
  }
  for (int64_t a = 0; a < ndim; ++a) {
    for (int64_t b = a + 1; b < ndim; ++b) {
      out.push_back({a, b});
      out.push_back({b - ndim, a});
    }
  }
  if (ndim > 2) {
    Dims all;
    for (int64_t d = ndim; d-- > 0;) all.push_back(d);
    out.push_back(all);
  }
  return out;
}

std::string dims_str(const Dims& dims) { return shape_str(dims); }

// Values spaced 0.1 apart in a random order: the maximum of any line is unique and far from the
// runner-up compared with gradcheck's step.
Tensor distinct_values(const Shape& shape, uint64_t seed) {
  Generator gen(seed);
  const int64_t n = count_of(shape);
  const auto perm = randperm(n, &gen).to_vector<int64_t>();
  std::vector<float> v;
  for (int64_t p : perm) v.push_back(0.1f * static_cast<float>(p) - 0.05f * static_cast<float>(n));
  return from_vector(v, shape);
}

Tensor leaf_of(const Tensor& t) {
  Tensor leaf = t.detach().clone();
  leaf.requires_grad_();
  return leaf;
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// sum and mean
// ------------------------------------------------------------------------------------------------

TEST_CASE("sum over everything matches a naive loop") {
  for (const auto& c : cases()) {
    INFO(c.name);
    const Tensor s = sum(c.x);
    CHECK(s.dim() == 0);
    check_close(s, ref_sum(c.x, {}, false), 1e-6, 1e-6);
    check_close(c.x.sum(), ref_sum(c.x, {}, false), 1e-6, 1e-6);
    check_close(sum(c.x, {}), ref_sum(c.x, {}, false), 1e-6, 1e-6);
    check_close(sum(c.x, {}, true), ref_sum(c.x, {}, true), 1e-6, 1e-6);
  }
}

TEST_CASE("sum over dims matches a naive loop, with and without keepdim") {
  for (const auto& c : cases()) {
    for (const Dims& dims : dims_lists(c.x.dim())) {
      for (bool keepdim : {false, true}) {
        INFO(c.name, ", dims ", dims_str(dims), ", keepdim ", keepdim);
        check_close(sum(c.x, dims, keepdim), ref_sum(c.x, dims, keepdim), 1e-6, 1e-6);
      }
    }
  }
  check_close(random_tensor({3, 4}, 1).sum({1}, true), ref_sum(random_tensor({3, 4}, 1), {1}, true), 1e-6, 1e-6);
}

TEST_CASE("mean over everything and over dims matches a naive loop") {
  for (const auto& c : cases()) {
    INFO(c.name);
    check_close(mean(c.x), ref_sum(c.x, {}, false, true), 1e-7, 1e-6);
    check_close(c.x.mean(), ref_sum(c.x, {}, false, true), 1e-7, 1e-6);
    check_close(mean(c.x, {}, true), ref_sum(c.x, {}, true, true), 1e-7, 1e-6);
    for (const Dims& dims : dims_lists(c.x.dim())) {
      for (bool keepdim : {false, true}) {
        INFO("dims ", dims_str(dims), ", keepdim ", keepdim);
        check_close(mean(c.x, dims, keepdim), ref_sum(c.x, dims, keepdim, true), 1e-7, 1e-6);
        check_close(c.x.mean(dims, keepdim), ref_sum(c.x, dims, keepdim, true), 1e-7, 1e-6);
      }
    }
  }
}

TEST_CASE("reduction result shapes") {
  const Tensor x = zeros({2, 3, 4});
  CHECK(sum(x).shape() == Shape{});
  CHECK(sum(x, {1}).shape() == Shape{2, 4});
  CHECK(sum(x, {1}, true).shape() == Shape{2, 1, 4});
  CHECK(sum(x, {-1, 0}).shape() == Shape{3});
  CHECK(sum(x, {-1, 0}, true).shape() == Shape{1, 3, 1});
  CHECK(sum(x, {}, true).shape() == Shape{1, 1, 1});
  CHECK(sum(x, {}).shape() == Shape{});
  CHECK(mean(x, {2}, true).shape() == Shape{2, 3, 1});
  CHECK(mean(x, {0, 1, 2}).shape() == Shape{});
  CHECK(sum(scalar_tensor(2), {0}, true).shape() == Shape{});
  CHECK(max(x, 1).shape() == Shape{2, 4});
  CHECK(max(x, 1, true).shape() == Shape{2, 1, 4});
  CHECK(argmax(x, -1).shape() == Shape{2, 3});
  CHECK(argmax(x, -1, true).shape() == Shape{2, 3, 1});
  CHECK(max(scalar_tensor(2), 0).shape() == Shape{});
  CHECK(argmax(scalar_tensor(2), -1, true).shape() == Shape{});
}

TEST_CASE("sums of empty tensors are 0") {
  CHECK(sum(zeros({0, 3})).item() == 0.0f);
  check_close(sum(zeros({0, 3}), {0}), zeros({3}), 0, 0);
  check_close(sum(zeros({0, 3}), {0}, true), zeros({1, 3}), 0, 0);
  CHECK(sum(zeros({3, 0}), {1}).shape() == Shape{3});
  check_close(sum(zeros({3, 0}), {1}), zeros({3}), 0, 0);
  CHECK(sum(zeros({0, 3}), {1}).shape() == Shape{0});
}

TEST_CASE("sums propagate inf and NaN") {
  CHECK(std::isnan(sum(tensor({1, kNaN, 2})).item()));
  CHECK(sum(tensor({1, kInf, 2})).item() == kInf);
  CHECK(std::isnan(sum(tensor({kInf, -kInf})).item()));
  check_close(sum(tensor({{1, kNaN}, {2, 3}}), {1}), tensor({kNaN, 5}));
  check_close(mean(tensor({{1, kInf}, {2, 4}}), {1}), tensor({kInf, 3}));
}

// ------------------------------------------------------------------------------------------------
// max, max_with_indices, argmax
// ------------------------------------------------------------------------------------------------

TEST_CASE("max with indices matches a naive loop along every dim") {
  for (const auto& c : cases()) {
    const int64_t nd = std::max<int64_t>(c.x.dim(), 1);
    for (int64_t dim = -nd; dim < nd; ++dim) {
      for (bool keepdim : {false, true}) {
        INFO(c.name, ", dim ", dim, ", keepdim ", keepdim);
        const auto [values, indices] = max_with_indices(c.x, dim, keepdim);
        const auto [ref_values, ref_indices] = ref_max(c.x, dim, keepdim);
        check_close(values, ref_values, 0, 0);
        check_bitwise_equal(indices, ref_indices);
        check_bitwise_equal(max(c.x, dim, keepdim), values);
        check_bitwise_equal(c.x.max(dim, keepdim), values);
        check_bitwise_equal(argmax(c.x, dim, keepdim), indices);
        check_bitwise_equal(c.x.argmax(dim, keepdim), indices);
      }
    }
  }
}

TEST_CASE("max and argmax pick the FIRST index on ties") {
  // Small integers: lots of ties in every line, along every dim, on a large tensor too.
  Generator gen(99);
  for (const Shape& shape : {Shape{6, 7}, Shape{3, 4, 5}, Shape{400, 300}}) {
    const Tensor x = to_dtype(randint(0, 3, shape, &gen), DType::f32);
    for (int64_t dim = 0; dim < x.dim(); ++dim) {
      INFO(shape_str(shape), ", dim ", dim);
      const auto [values, indices] = max_with_indices(x, dim);
      const auto [ref_values, ref_indices] = ref_max(x, dim, false);
      check_close(values, ref_values, 0, 0);
      check_bitwise_equal(indices, ref_indices);
      check_bitwise_equal(argmax(x, dim), ref_indices);
      check_bitwise_equal(argmax(x.transpose(0, -1).contiguous().transpose(0, -1), dim), ref_indices);
    }
  }
  const Tensor x = tensor({{1, 5, 5}, {2, 2, 2}, {-kInf, -kInf, -kInf}, {0, -0.0f, 0}});
  check_bitwise_equal(argmax(x, 1), labels({1, 0, 0, 0}));
  check_bitwise_equal(max_with_indices(x, 1).second, labels({1, 0, 0, 0}));
  check_close(max(x, 1), tensor({5, 2, -kInf, 0}), 0, 0);
  check_bitwise_equal(argmax(zeros({500, 300}), 1), from_vector(std::vector<int64_t>(500, 0), {500}));
  check_bitwise_equal(argmax(zeros({500, 300}), 0), from_vector(std::vector<int64_t>(300, 0), {300}));
}

TEST_CASE("max with NaN returns NaN and the index of the first NaN") {
  const Tensor x = tensor({{1, kNaN, 3, kNaN}, {kNaN, 2, 9, 1}, {4, 3, 2, kNaN}, {kInf, 1, 2, 3}});
  const auto [values, indices] = max_with_indices(x, 1);
  check_close(values, tensor({kNaN, kNaN, kNaN, kInf}), 0, 0);
  CHECK(std::isnan(values.at({0})));
  check_bitwise_equal(indices, labels({1, 0, 3, 0}));
  check_bitwise_equal(argmax(x, 1), labels({1, 0, 3, 0}));
  // Along dim 0 (the strided path).
  const auto [values0, indices0] = max_with_indices(x, 0);
  check_close(values0, tensor({kNaN, kNaN, 9, kNaN}), 0, 0);
  check_bitwise_equal(indices0, labels({1, 0, 1, 0}));
  check_bitwise_equal(argmax(x.t(), 1), labels({1, 0, 1, 0}));
}

TEST_CASE("max indices and argmax are int64 and carry no gradient") {
  const Tensor x = random_leaf({3, 4}, 5);
  const auto [values, indices] = max_with_indices(x, 1);
  CHECK(values.dtype() == DType::f32);
  CHECK(values.requires_grad());
  CHECK(indices.dtype() == DType::i64);
  CHECK_FALSE(indices.requires_grad());
  const Tensor am = argmax(x, 0);
  CHECK(am.dtype() == DType::i64);
  CHECK_FALSE(am.requires_grad());
}

TEST_CASE("max over a dim of an empty tensor that is not itself empty") {
  const Tensor x = zeros({0, 3});
  CHECK(max(x, 1).shape() == Shape{0});
  CHECK(argmax(x, 1, true).shape() == Shape{0, 1});
}

// ------------------------------------------------------------------------------------------------
// gradients
// ------------------------------------------------------------------------------------------------

TEST_CASE("gradcheck: sum and mean over everything and over dims") {
  const std::vector<Tensor> inputs = {random_tensor({2, 3, 4}, 1), random_tensor({}, 2), random_tensor({7}, 3),
                                      random_tensor({5, 1, 3}, 4)};
  for (const Tensor& t : inputs) {
    INFO(t.describe());
    const Tensor leaf = leaf_of(t);
    check_gradcheck([](const TensorList& x) { return sum(x[0]); }, {leaf});
    check_gradcheck([](const TensorList& x) { return mean(x[0]); }, {leaf});
    for (bool keepdim : {false, true}) {
      check_gradcheck([keepdim](const TensorList& x) { return sum(x[0], {}, keepdim); }, {leaf});
      check_gradcheck([keepdim](const TensorList& x) { return mean(x[0], {}, keepdim); }, {leaf});
      for (const Dims& dims : dims_lists(t.dim())) {
        INFO("dims ", dims_str(dims), ", keepdim ", keepdim);
        check_gradcheck([&dims, keepdim](const TensorList& x) { return sum(x[0], dims, keepdim); }, {leaf});
        check_gradcheck([&dims, keepdim](const TensorList& x) { return mean(x[0], dims, keepdim); }, {leaf});
      }
    }
  }
  // Non-contiguous inputs inside the function.
  const Tensor x = random_leaf({4, 6}, 5);
  check_gradcheck([](const TensorList& v) { return sum(v[0].t(), {1}); }, {x});
  check_gradcheck([](const TensorList& v) { return mean(v[0].slice(1, 0, 6, 2), {0}, true); }, {x});
  check_gradcheck([](const TensorList& v) { return sum(v[0].unsqueeze(0).expand({3, 4, 6}), {0, 2}); }, {x});
  check_gradcheck([](const TensorList& v) { return mean(v[0].t()); }, {x});
}

TEST_CASE("gradcheck: max along every dim, with and without keepdim") {
  const std::vector<Tensor> inputs = {distinct_values({2, 3, 4}, 1), distinct_values({7}, 2),
                                      distinct_values({5, 1, 3}, 3), scalar_tensor(0.7f)};
  for (const Tensor& t : inputs) {
    const Tensor leaf = leaf_of(t);
    const int64_t nd = std::max<int64_t>(t.dim(), 1);
    for (int64_t dim = -nd; dim < nd; ++dim) {
      for (bool keepdim : {false, true}) {
        INFO(t.describe(), ", dim ", dim, ", keepdim ", keepdim);
        check_gradcheck([dim, keepdim](const TensorList& x) { return max(x[0], dim, keepdim); }, {leaf});
        check_gradcheck([dim, keepdim](const TensorList& x) { return max_with_indices(x[0], dim, keepdim).first; },
                        {leaf});
      }
    }
  }
  const Tensor x = leaf_of(distinct_values({4, 6}, 4));
  check_gradcheck([](const TensorList& v) { return max(v[0].t(), 1); }, {x});
  check_gradcheck([](const TensorList& v) { return max(v[0].slice(1, 1, 6, 2), 0, true); }, {x});
}

TEST_CASE("max sends the gradient to the first maximal element") {
  Tensor x = tensor({{1, 3, 3, 2}, {7, 7, 7, 7}});
  x.requires_grad_();
  max(x, 1).sum().backward();
  check_close(x.grad(), tensor({{0, 1, 0, 0}, {1, 0, 0, 0}}), 0, 0);
  Tensor y = tensor({{1, 3}, {3, 2}, {3, 3}});
  y.requires_grad_();
  mul(max(y, 0, true), tensor({{2, 5}})).sum().backward();
  check_close(y.grad(), tensor({{0, 5}, {2, 0}, {0, 0}}), 0, 0);
}

TEST_CASE("sum and mean gradients on a large tensor match a naive loop") {
  const Tensor x = random_leaf({331, 317}, 6);
  const Tensor w = random_tensor({317}, 7);
  add(mul(sum(x, {0}), w).sum(), mean(x)).backward();
  // d/dx[i][j] = w[j] + 1 / numel.
  std::vector<double> expected;
  for (int64_t i = 0; i < 331; ++i) {
    for (int64_t j = 0; j < 317; ++j) expected.push_back(read(w, {j}) + 1.0 / (331.0 * 317.0));
  }
  check_close(x.grad(), from_doubles(expected, {331, 317}), 1e-7, 1e-6);
}

// ------------------------------------------------------------------------------------------------
// misuse
// ------------------------------------------------------------------------------------------------

TEST_CASE("reductions reject int64 and undefined inputs, naming the op") {
  const std::vector<std::pair<std::string, std::function<void(const Tensor&)>>> ops = {
      {"sum", [](const Tensor& t) { (void)sum(t); }},
      {"sum", [](const Tensor& t) { (void)sum(t, {0}); }},
      {"mean", [](const Tensor& t) { (void)mean(t); }},
      {"mean", [](const Tensor& t) { (void)mean(t, {0}, true); }},
      {"max", [](const Tensor& t) { (void)max(t, 0); }},
      {"max", [](const Tensor& t) { (void)max_with_indices(t, 0); }},
      {"argmax", [](const Tensor& t) { (void)argmax(t, 0); }},
  };
  for (const auto& [name, op] : ops) {
    INFO(name);
    check_error([&] { op(i64()); }, {name + ":", "float32", "int64 [3]"});
    check_error([&] { op(Tensor()); }, {name + ":", "undefined"});
  }
}

TEST_CASE("reductions reject dims out of range, naming the dim and the rank") {
  const Tensor x = zeros({2, 3, 4});
  check_error([&] { (void)sum(x, {3}); }, {"sum:", "dim 3", "out of range", "3 dimensions"});
  check_error([&] { (void)sum(x, {-4}); }, {"sum:", "dim -4", "out of range"});
  check_error([&] { (void)sum(x, {0, 5}, true); }, {"sum:", "dim 5", "out of range"});
  check_error([&] { (void)x.sum({9}); }, {"sum:", "dim 9"});
  check_error([&] { (void)mean(x, {3}); }, {"mean:", "dim 3", "out of range", "3 dimensions"});
  check_error([&] { (void)mean(x, {-4}, true); }, {"mean:", "dim -4", "out of range"});
  check_error([&] { (void)max(x, 3); }, {"max:", "dim 3", "out of range", "3 dimensions"});
  check_error([&] { (void)max(x, -4, true); }, {"max:", "dim -4", "out of range"});
  check_error([&] { (void)max_with_indices(x, 3); }, {"max:", "dim 3", "out of range"});
  check_error([&] { (void)argmax(x, 3); }, {"argmax:", "dim 3", "out of range", "3 dimensions"});
  check_error([&] { (void)argmax(x, -4); }, {"argmax:", "dim -4", "out of range"});
  // A 0-d tensor accepts only dim 0 and -1.
  const Tensor s = scalar_tensor(1);
  check_error([&] { (void)sum(s, {1}); }, {"sum:", "dim 1", "0 dimensions"});
  check_error([&] { (void)mean(s, {-2}); }, {"mean:", "dim -2", "0 dimensions"});
  check_error([&] { (void)max(s, 1); }, {"max:", "dim 1", "0 dimensions"});
  check_error([&] { (void)argmax(s, -2); }, {"argmax:", "dim -2", "0 dimensions"});
}

TEST_CASE("sum and mean reject duplicate dims, naming the dim") {
  const Tensor x = zeros({2, 3, 4});
  check_error([&] { (void)sum(x, {1, 1}); }, {"sum:", "dim 1", "more than once"});
  check_error([&] { (void)sum(x, {0, -3}); }, {"sum:", "dim 0", "more than once"});
  check_error([&] { (void)sum(x, {2, 0, -1}, true); }, {"sum:", "dim 2", "more than once"});
  check_error([&] { (void)mean(x, {1, 1}); }, {"mean:", "dim 1", "more than once"});
  check_error([&] { (void)mean(x, {-1, 2}, true); }, {"mean:", "dim 2", "more than once"});
  // The same rule for a 0-d tensor, where 0 and -1 name the same dim.
  const Tensor s = scalar_tensor(1);
  check_error([&] { (void)sum(s, {0, -1}); }, {"sum:", "more than once"});
  check_error([&] { (void)mean(s, {0, 0}); }, {"mean:", "more than once"});
}

TEST_CASE("max and argmax reject an empty dimension, naming the shape") {
  check_error([] { (void)max(zeros({2, 0}), 1); }, {"max:", "empty", "[2, 0]"});
  check_error([] { (void)max(zeros({2, 0}), -1, true); }, {"max:", "empty", "[2, 0]"});
  check_error([] { (void)max_with_indices(zeros({0, 3}), 0); }, {"max:", "empty", "[0, 3]"});
  check_error([] { (void)max(zeros({0}), 0); }, {"max:", "empty", "[0]"});
  check_error([] { (void)argmax(zeros({2, 0}), 1); }, {"argmax:", "empty", "[2, 0]"});
  check_error([] { (void)argmax(zeros({0}), -1); }, {"argmax:", "empty", "[0]"});
  check_error([] { (void)zeros({3, 0, 2}).max(1); }, {"max:", "empty", "[3, 0, 2]"});
}

// ------------------------------------------------------------------------------------------------
// determinism
// ------------------------------------------------------------------------------------------------

TEST_CASE("sums (and maxima) are bitwise identical with 1 and 2 threads") {
  const Tensor x = random_tensor({1024, 1024}, 2024, -1, 1);  // 1M elements
  const Tensor xt = x.t();                                     // the strided path
  auto run = [&] {
    return TensorList{sum(x),           sum(x, {0}),     sum(x, {1}),     sum(x, {0, 1}),  sum(x, {1}, true),
                      sum(xt, {0}),     sum(xt, {1}),    sum(xt),         mean(x, {0}),    mean(x),
                      sum(x.reshape({64, 128, 128}), {0, 2}), sum(x.reshape({64, 128, 128}), {1})};
  };
  auto run_max = [&] {
    return TensorList{max_with_indices(x, 0).first, max_with_indices(x, 0).second, argmax(x, 1), max(xt, 1),
                      argmax(xt, 0)};
  };
  TensorList one, two, max_one, max_two;
  with_threads(1, [&] { max_one = run_max(); });
  with_threads(2, [&] { max_two = run_max(); });
  for (size_t i = 0; i < max_one.size(); ++i) {
    INFO("max result ", i);
    check_bitwise_equal(max_one[i], max_two[i]);
  }
  with_threads(1, [&] { one = run(); });
  with_threads(2, [&] { two = run(); });
  REQUIRE(one.size() == two.size());
  for (size_t i = 0; i < one.size(); ++i) {
    INFO("result ", i);
    check_bitwise_equal(one[i], two[i]);
  }
  // And the sum is right.
  check_close(one[0], ref_sum(x, {}, false), 1e-6, 1e-6);
  check_close(one[1], ref_sum(x, {0}, false), 1e-6, 1e-6);
  check_close(one[2], ref_sum(x, {1}, false), 1e-6, 1e-6);
}
