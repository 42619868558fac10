#pragma once
// Tensor: a reference-counted handle to a strided view of a Storage.
//
// Copying a Tensor copies the handle (like torch.Tensor in Python): both names see the same data
// and the same autograd state. Views (reshape, permute, narrow, expand, ...) share storage.
//
// Layering note: the class is declared here in core/, but its convenience methods are defined
// where their logic lives: the autograd methods (backward, grad, detach) in autograd/, the math
// and view methods (sum, reshape, ...) in ops/tensor_methods.cpp. The free functions in ops/ are
// the real API; the methods only forward to them, so x.relu() and ember::relu(x) are one thing.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ember/core/dtype.h"
#include "ember/core/error.h"
#include "ember/core/shape.h"
#include "ember/core/storage.h"

namespace ember {

namespace autograd {
class Node;
}

// The shared state behind a Tensor handle. Plain data; invariants are kept by Tensor and ops.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Strides strides;  // in elements
  int64_t offset = 0;  // in elements
  DType dtype = DType::f32;

  // Autograd state. A tensor with grad_fn is the output of a recorded op (a non-leaf); a tensor
  // without one is a leaf, and if it requires grad, backward() accumulates into `grad`.
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<autograd::Node> grad_fn;
  uint32_t output_nr = 0;                             // which output of grad_fn this is
  std::weak_ptr<autograd::Node> grad_accumulator;     // leaves: the node that writes `grad`
};

class Tensor {
 public:
  Tensor() = default;  // an undefined tensor (e.g. "no gradient")
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  const std::shared_ptr<TensorImpl>& impl() const { return impl_; }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // ---- metadata ----
  const Shape& shape() const { return checked().shape; }
  const Strides& strides() const { return checked().strides; }
  int64_t dim() const { return static_cast<int64_t>(shape().size()); }
  int64_t size(int64_t dim) const;    // negative dims count from the end
  int64_t stride(int64_t dim) const;
  int64_t offset() const { return checked().offset; }
  int64_t numel() const { return numel_of(shape()); }
  DType dtype() const { return checked().dtype; }
  bool is_contiguous() const;
  std::string describe() const;  // "float32 [2, 3]", for error messages

  // ---- raw data (no autograd) ----
  // Pointer to the first element of this view; throws if T does not match the dtype.
  template <typename T>
  T* data() const;
  // The single value of a one-element tensor, converted to float (or T).
  float item() const { return item<float>(); }
  template <typename T>
  T item() const;
  // Bounds-checked element read and write; write bumps the version counter (it is in-place).
  template <typename T = float>
  T at(std::initializer_list<int64_t> index) const;
  template <typename T = float>
  void set(std::initializer_list<int64_t> index, T value) const;
  // All elements in row-major (logical) order.
  template <typename T = float>
  std::vector<T> to_vector() const;
  uint64_t version() const { return checked().storage->version(); }
  void bump_version() const { checked().storage->bump_version(); }

  // ---- autograd (defined in autograd/) ----
  bool requires_grad() const { return checked().requires_grad; }
  const Tensor& requires_grad_(bool enabled = true) const;  // leaves only
  Tensor grad() const;                              // undefined until a backward reaches it
  void set_grad(const Tensor& grad) const;
  void zero_grad() const;                           // drops the gradient (sets it undefined)
  bool is_leaf() const { return checked().grad_fn == nullptr; }
  const std::shared_ptr<autograd::Node>& grad_fn() const { return checked().grad_fn; }
  std::string grad_fn_name() const;  // "MulBackward"; "" for a leaf
  Tensor detach() const;  // same data, no history, requires_grad false
  // Reverse-mode autodiff from this tensor. `grad` defaults to 1 for one-element tensors.
  // The graph is freed afterwards unless retain_graph is true.
  void backward(const Tensor& grad = Tensor(), bool retain_graph = false) const;

  // ---- views and shape (differentiable; defined in ops/) ----
  Tensor reshape(const Shape& shape) const;  // one size may be -1; copies only if it must
  Tensor view(const Shape& shape) const;     // like reshape but never copies
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;  // 2-D transpose
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor expand(const Shape& shape) const;  // -1 keeps a size
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor contiguous() const;
  Tensor clone() const;

  // ---- math (differentiable; defined in ops/) ----
  Tensor sum() const;
  Tensor sum(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor mean() const;
  Tensor mean(const std::vector<int64_t>& dims, bool keepdim = false) const;
  Tensor max(int64_t dim, bool keepdim = false) const;
  Tensor argmax(int64_t dim, bool keepdim = false) const;
  Tensor matmul(const Tensor& other) const;
  Tensor exp() const;
  Tensor log() const;
  Tensor pow(float exponent) const;
  Tensor sqrt() const;
  Tensor abs() const;
  Tensor neg() const;
  Tensor clamp(std::optional<float> min, std::optional<float> max) const;
  Tensor relu() const;
  Tensor sigmoid() const;
  Tensor tanh() const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;

  // ---- in-place updates (outside the graph; defined in ops/inplace.cpp) ----
  // Like PyTorch's, they are const: a Tensor is a handle, and writing through it does not change
  // which data it refers to. They bump the version counter. On a tensor that requires grad they need NoGradGuard,
  // as in PyTorch, so an optimizer step is never recorded.
  const Tensor& add_(const Tensor& other, float alpha = 1.0f) const;
  const Tensor& add_(float value) const;
  const Tensor& sub_(const Tensor& other) const;
  const Tensor& mul_(const Tensor& other) const;
  const Tensor& mul_(float value) const;
  const Tensor& div_(const Tensor& other) const;
  const Tensor& div_(float value) const;
  const Tensor& addcmul_(const Tensor& a, const Tensor& b, float value = 1.0f) const;  // this += value*a*b
  const Tensor& addcdiv_(const Tensor& a, const Tensor& b, float value = 1.0f) const;  // this += value*a/b
  const Tensor& clamp_(std::optional<float> min, std::optional<float> max) const;
  const Tensor& fill_(float value) const;
  const Tensor& zero_() const;
  const Tensor& copy_(const Tensor& source) const;  // broadcasts source to this shape

 private:
  const TensorImpl& checked() const {
    if (!impl_) [[unlikely]] fail("tensor: this tensor is undefined (default-constructed or an absent gradient)");
    return *impl_;
  }
  std::shared_ptr<TensorImpl> impl_;
};

using TensorList = std::vector<Tensor>;

// ---- views without autograd: the primitive the differentiable views are built on ----
// A new handle on `base`'s storage with the given geometry; checks it stays inside the storage.
Tensor make_view(const Tensor& base, const Shape& shape, const Strides& strides, int64_t offset);

// ---- factories ----
Tensor empty(const Shape& shape, DType dtype = DType::f32);  // uninitialized
Tensor zeros(const Shape& shape, DType dtype = DType::f32);
Tensor ones(const Shape& shape, DType dtype = DType::f32);
Tensor full(const Shape& shape, float value, DType dtype = DType::f32);
Tensor scalar_tensor(float value);  // 0-d
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);
Tensor empty_like(const Tensor& t);  // contiguous, same shape and dtype
Tensor arange(int64_t end, DType dtype = DType::f32);
Tensor arange(double start, double end, double step = 1.0, DType dtype = DType::f32);
Tensor from_vector(const std::vector<float>& values, const Shape& shape);
Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape);
Tensor tensor(std::initializer_list<float> values);                                  // 1-D
Tensor tensor(std::initializer_list<std::initializer_list<float>> rows);             // 2-D
Tensor labels(std::initializer_list<int64_t> values);                                // 1-D int64

// ---- explicit conversions ----
Tensor to_dtype(const Tensor& t, DType dtype);  // copy with value conversion, no autograd

}  // namespace ember
