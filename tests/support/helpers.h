#pragma once
// Assertions shared by every test suite.
#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <ember/ember.h>

namespace ember::test {

// Elementwise |actual - expected| <= atol + rtol * |expected| (NaN matches NaN, inf matches
// the same inf), same shape; on failure reports the worst element and its index.
void check_close(const Tensor& actual, const Tensor& expected, double atol = 1e-5, double rtol = 1e-4);
// Same shape, dtype and bits.
void check_bitwise_equal(const Tensor& a, const Tensor& b);
// Runs gradcheck and fails with its report.
void check_gradcheck(const std::function<Tensor(const TensorList&)>& f, const TensorList& inputs,
                     const autograd::GradcheckOptions& options = {});
// Expects fn to throw ember::Error whose message contains every one of `fragments`.
void check_error(const std::function<void()>& fn, const std::vector<std::string>& fragments);
// A float32 tensor of uniform values in [low, high) from a private generator.
Tensor random_tensor(const Shape& shape, uint64_t seed, float low = -1.0f, float high = 1.0f);
// The same tensor with requires_grad set.
Tensor random_leaf(const Shape& shape, uint64_t seed, float low = -1.0f, float high = 1.0f);
// A fresh folder under the system's temp folder, removed with everything in it at the end.
struct TempDir {
  std::filesystem::path path;
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string str() const { return path.string(); }
  std::string file(const std::string& name) const { return (path / name).string(); }
  // Writes `bytes` to a file of that name in the folder and returns its path.
  std::string write(const std::string& name, const std::string& bytes) const;
};
// Runs fn with n threads and restores the previous count.
void with_threads(int n, const std::function<void()>& fn);

// Text checks for generated pages, logs and files.
inline bool contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }
inline size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

}  // namespace ember::test
