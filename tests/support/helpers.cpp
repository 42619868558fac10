#include "support/helpers.h"

#include <unistd.h>

#include <fstream>

#include <cmath>
#include <cstring>

namespace ember::test {

void check_close(const Tensor& actual, const Tensor& expected, double atol, double rtol) {
  REQUIRE_MESSAGE(actual.defined(), "actual tensor is undefined");
  REQUIRE_MESSAGE(expected.defined(), "expected tensor is undefined");
  REQUIRE_MESSAGE(actual.shape() == expected.shape(),
                  fmt::format("shape {} != expected {}", shape_str(actual.shape()), shape_str(expected.shape())));
  const auto a = actual.to_vector<double>();
  const auto e = expected.to_vector<double>();
  double worst = 0;
  size_t worst_at = 0;
  bool ok = true;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(e[i]) && std::isnan(a[i])) continue;
    if (std::isinf(e[i]) && a[i] == e[i]) continue;
    const double err = std::abs(a[i] - e[i]);
    const double excess = err - (atol + rtol * std::abs(e[i]));
    if (!(excess <= 0)) {
      if (ok || excess > worst || std::isnan(excess)) {
        worst = excess;
        worst_at = i;
      }
      ok = false;
    }
  }
  CHECK_MESSAGE(ok, fmt::format("tensors differ: worst at flat index {}: got {:.9g}, expected {:.9g} (atol {}, rtol {})",
                                worst_at, a.empty() ? 0.0 : a[worst_at], e.empty() ? 0.0 : e[worst_at], atol, rtol));
}

void check_bitwise_equal(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  REQUIRE(a.dtype() == b.dtype());
  bool same;
  if (a.dtype() == DType::f32) {
    const auto va = a.to_vector<float>(), vb = b.to_vector<float>();
    same = va.empty() || std::memcmp(va.data(), vb.data(), va.size() * sizeof(float)) == 0;
  } else {
    same = a.to_vector<int64_t>() == b.to_vector<int64_t>();
  }
  CHECK_MESSAGE(same, "tensors are not bitwise identical");
}

void check_gradcheck(const std::function<Tensor(const TensorList&)>& f, const TensorList& inputs,
                     const autograd::GradcheckOptions& options) {
  const auto result = autograd::gradcheck(f, inputs, options);
  CHECK_MESSAGE(result.ok, result.report);
  CHECK_MESSAGE(result.checked > 0, "gradcheck compared no elements");
}

void check_error(const std::function<void()>& fn, const std::vector<std::string>& fragments) {
  try {
    fn();
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const auto& fragment : fragments) {
      CHECK_MESSAGE(message.find(fragment) != std::string::npos,
                    fmt::format("error message '{}' lacks '{}'", message, fragment));
    }
    return;
  } catch (const std::exception& e) {
    FAIL_CHECK(fmt::format("threw a non-ember exception: {}", e.what()));
    return;
  }
  FAIL_CHECK("expected an ember::Error, but nothing was thrown");
}

Tensor random_tensor(const Shape& shape, uint64_t seed, float low, float high) {
  Generator gen(seed);
  return uniform(shape, low, high, &gen);
}

Tensor random_leaf(const Shape& shape, uint64_t seed, float low, float high) {
  Tensor t = random_tensor(shape, seed, low, high);
  t.requires_grad_();
  return t;
}

void with_threads(int n, const std::function<void()>& fn) {
  const int previous = get_num_threads();
  set_num_threads(n);
  try {
    fn();
  } catch (...) {
    set_num_threads(previous);
    throw;
  }
  set_num_threads(previous);
}

TempDir::TempDir() {
  static int counter = 0;
  path = std::filesystem::temp_directory_path() /
         ("ember_test_" + std::to_string(::getpid()) + "_dir" + std::to_string(counter++));
  std::filesystem::create_directories(path);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path, ignored);
}

std::string TempDir::write(const std::string& name, const std::string& bytes) const {
  const std::string file_path = file(name);
  std::ofstream(file_path, std::ios::binary) << bytes;
  return file_path;
}

}  // namespace ember::test
