#include "support/reference.h"

#include "support/helpers.h"

namespace ember::test {

int64_t count_of(const Shape& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

double read(const Tensor& t, const Index& idx) {
  const float* p = t.data<float>();
  int64_t offset = 0;
  for (size_t d = 0; d < idx.size(); ++d) offset += idx[d] * t.strides()[d];
  return static_cast<double>(p[offset]);
}

int64_t flat_index(const Shape& shape, const Index& idx) {
  int64_t flat = 0;
  for (size_t d = 0; d < shape.size(); ++d) flat = flat * shape[d] + idx[d];
  return flat;
}

Tensor from_doubles(const std::vector<double>& values, const Shape& shape) {
  std::vector<float> f(values.begin(), values.end());
  return from_vector(f, shape);
}

Tensor ref_unary(const Tensor& a, const std::function<double(double)>& f) {
  std::vector<double> out;
  for_each_index(a.shape(), [&](const Index& i) { out.push_back(f(read(a, i))); });
  return from_doubles(out, a.shape());
}

std::vector<UnaryCase> unary_cases(float lo, float hi) {
  auto r = [&](const Shape& s, uint64_t seed) { return random_tensor(s, seed, lo, hi); };
  return {
      {"contiguous [2, 3, 4]", r({2, 3, 4}, 11)},
      {"0-d", r({}, 12)},
      {"odd [7]", r({7}, 13)},
      {"[1]", r({1}, 14)},
      {"transposed [5, 3]^T", r({5, 3}, 15).t()},
      {"slice with step 3", r({6, 10}, 16).slice(1, 1, 10, 3)},
      {"expanded [4, 1] -> [4, 6]", r({4, 1}, 17).expand({4, 6})},
      {"permuted [4, 2, 3]", r({4, 2, 3}, 18).permute({2, 0, 1})},
      {"narrowed (offset view)", r({5, 9}, 19).narrow(0, 2, 3).narrow(1, 1, 7)},
      {"contiguous with an offset", r({5, 9}, 24).narrow(0, 2, 3)},
      {"empty [0, 4]", r({0, 4}, 20)},
      {"large [331, 317]", r({331, 317}, 21)},
      {"large transposed", r({317, 331}, 22).t()},
      {"large slice with step 2", r({331, 634}, 23).slice(1, 1, 634, 2)},
  };
}

void check_unary(const UnaryOp& op, const std::function<double(double)>& ref, float lo, float hi, double atol,
                 double rtol) {
  for (const auto& c : unary_cases(lo, hi)) {
    INFO(c.name);
    check_close(op(c.x), ref_unary(c.x, ref), atol, rtol);
  }
}

void gradcheck_unary(const UnaryOp& op, const std::vector<Tensor>& inputs) {
  for (const Tensor& t : inputs) {
    INFO(t.describe());
    Tensor leaf = t.detach().clone();
    leaf.requires_grad_();
    check_gradcheck([&](const TensorList& x) { return op(x[0]); }, {leaf});
  }
}

Tensor signed_away_from_zero(const Shape& shape, uint64_t seed, float lo, float hi) {
  auto v = random_tensor(shape, seed, lo, hi).to_vector();
  for (size_t i = 0; i < v.size(); i += 2) v[i] = -v[i];
  return from_vector(v, shape);
}

Tensor i64() { return labels({1, 2, 3}); }

}  // namespace ember::test
