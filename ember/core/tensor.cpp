#include "ember/core/tensor.h"

#include <cmath>
#include <cstring>

#include "ember/core/strided.h"

namespace ember {

namespace {

std::shared_ptr<TensorImpl> new_impl(const Shape& shape, DType dtype) {
  for (int64_t s : shape) EMBER_CHECK(s >= 0, "tensor: sizes must be non-negative, got shape {}", shape_str(shape));
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(numel_of(shape)) * dtype_size(dtype));
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return impl;
}

// Row-major linear position -> element offset, with bounds checks for at()/set().
int64_t element_offset(const Tensor& t, std::initializer_list<int64_t> index) {
  EMBER_CHECK(static_cast<int64_t>(index.size()) == t.dim(),
              "tensor index: got {} indices for a tensor with {} dimensions (shape {})", index.size(), t.dim(),
              shape_str(t.shape()));
  int64_t offset = t.offset();
  int64_t d = 0;
  for (int64_t i : index) {
    const int64_t size = t.shape()[d];
    EMBER_CHECK(i >= -size && i < size, "tensor index: index {} is out of range for dimension {} of size {} (shape {})",
                i, d, size, shape_str(t.shape()));
    offset += (i < 0 ? i + size : i) * t.strides()[d];
    ++d;
  }
  return offset;
}

template <typename T>
void fill_contiguous(const Tensor& t, T value) {
  T* p = t.data<T>();
  const int64_t n = t.numel();
  for (int64_t i = 0; i < n; ++i) p[i] = value;
}

}  // namespace

int64_t Tensor::size(int64_t d) const { return shape()[normalize_dim(d, dim(), "size")]; }
int64_t Tensor::stride(int64_t d) const { return strides()[normalize_dim(d, dim(), "stride")]; }

bool Tensor::is_contiguous() const {
  const auto& t = checked();
  int64_t expected = 1;
  for (size_t i = t.shape.size(); i-- > 0;) {
    if (t.shape[i] == 1) continue;  // a size-1 dim's stride never matters
    if (t.strides[i] != expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

std::string Tensor::describe() const {
  if (!defined()) return "undefined";
  return fmt::format("{} {}", dtype_name(dtype()), shape_str(shape()));
}

template <typename T>
T* Tensor::data() const {
  const auto& t = checked();
  EMBER_CHECK(t.dtype == dtype_of<T>(), "tensor data: the tensor is {} but {} was requested", dtype_name(t.dtype),
              dtype_name(dtype_of<T>()));
  return static_cast<T*>(t.storage->data()) + t.offset;
}
template float* Tensor::data<float>() const;
template int64_t* Tensor::data<int64_t>() const;

template <typename T>
T Tensor::item() const {
  EMBER_CHECK(numel() == 1, "item: only a one-element tensor has an item, got shape {}", shape_str(shape()));
  if (dtype() == DType::f32) return static_cast<T>(data<float>()[0]);
  return static_cast<T>(data<int64_t>()[0]);
}
template float Tensor::item<float>() const;
template int64_t Tensor::item<int64_t>() const;
template double Tensor::item<double>() const;

template <typename T>
T Tensor::at(std::initializer_list<int64_t> index) const {
  const int64_t offset = element_offset(*this, index);
  if (dtype() == DType::f32) return static_cast<T>(static_cast<const float*>(checked().storage->data())[offset]);
  return static_cast<T>(static_cast<const int64_t*>(checked().storage->data())[offset]);
}
template float Tensor::at<float>(std::initializer_list<int64_t>) const;
template int64_t Tensor::at<int64_t>(std::initializer_list<int64_t>) const;
template double Tensor::at<double>(std::initializer_list<int64_t>) const;

template <typename T>
void Tensor::set(std::initializer_list<int64_t> index, T value) const {
  const int64_t offset = element_offset(*this, index);
  if (dtype() == DType::f32) {
    static_cast<float*>(checked().storage->data())[offset] = static_cast<float>(value);
  } else {
    static_cast<int64_t*>(checked().storage->data())[offset] = static_cast<int64_t>(value);
  }
  bump_version();
}
template void Tensor::set<float>(std::initializer_list<int64_t>, float) const;
template void Tensor::set<int64_t>(std::initializer_list<int64_t>, int64_t) const;
template void Tensor::set<double>(std::initializer_list<int64_t>, double) const;
template void Tensor::set<int>(std::initializer_list<int64_t>, int) const;

template <typename T>
std::vector<T> Tensor::to_vector() const {
  const auto& t = checked();
  std::vector<T> out;
  out.reserve(static_cast<size_t>(numel()));
  if (t.dtype == DType::f32) {
    const float* base = static_cast<const float*>(t.storage->data());
    for_each_offset(t.shape, t.strides, t.offset, [&](int64_t o) { out.push_back(static_cast<T>(base[o])); });
  } else {
    const int64_t* base = static_cast<const int64_t*>(t.storage->data());
    for_each_offset(t.shape, t.strides, t.offset, [&](int64_t o) { out.push_back(static_cast<T>(base[o])); });
  }
  return out;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;
template std::vector<double> Tensor::to_vector<double>() const;

Tensor make_view(const Tensor& base, const Shape& shape, const Strides& strides, int64_t offset) {
  EMBER_CHECK(shape.size() == strides.size(), "view: shape {} and strides {} differ in length", shape_str(shape),
              shape_str(strides));
  // The furthest element the view can reach must lie inside the storage.
  int64_t lo = offset, hi = offset;
  for (size_t i = 0; i < shape.size(); ++i) {
    EMBER_CHECK(shape[i] >= 0, "view: negative size in shape {}", shape_str(shape));
    if (shape[i] == 0) {
      lo = hi = offset;
      break;
    }
    const int64_t reach = (shape[i] - 1) * strides[i];
    (reach < 0 ? lo : hi) += reach;
  }
  const int64_t capacity = static_cast<int64_t>(base.impl()->storage->nbytes() / dtype_size(base.dtype()));
  EMBER_CHECK(lo >= 0 && (numel_of(shape) == 0 || hi < capacity),
              "view: shape {} with strides {} at offset {} reaches outside a storage of {} elements", shape_str(shape),
              shape_str(strides), offset, capacity);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->shape = shape;
  impl->strides = strides;
  impl->offset = offset;
  impl->dtype = base.dtype();
  return Tensor(std::move(impl));
}

Tensor empty(const Shape& shape, DType dtype) { return Tensor(new_impl(shape, dtype)); }

Tensor zeros(const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  if (t.numel() > 0) std::memset(t.impl()->storage->data(), 0, t.impl()->storage->nbytes());
  return t;
}

Tensor full(const Shape& shape, float value, DType dtype) {
  Tensor t = empty(shape, dtype);
  if (dtype == DType::f32) {
    fill_contiguous<float>(t, value);
  } else {
    EMBER_CHECK(std::nearbyint(value) == value, "full: value {} is not an integer but dtype is int64", value);
    fill_contiguous<int64_t>(t, static_cast<int64_t>(value));
  }
  return t;
}

Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0f, dtype); }
Tensor scalar_tensor(float value) { return full({}, value); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype()); }
Tensor empty_like(const Tensor& t) { return empty(t.shape(), t.dtype()); }

Tensor arange(int64_t end, DType dtype) { return arange(0.0, static_cast<double>(end), 1.0, dtype); }

Tensor arange(double start, double end, double step, DType dtype) {
  EMBER_CHECK(step != 0.0 && std::isfinite(step), "arange: step must be finite and non-zero, got {}", step);
  EMBER_CHECK(std::isfinite(start) && std::isfinite(end), "arange: start {} and end {} must be finite", start, end);
  const double count = std::ceil((end - start) / step);
  EMBER_CHECK(count < 1e12, "arange: [{}, {}) with step {} has too many elements", start, end, step);
  const int64_t n = std::max<int64_t>(0, static_cast<int64_t>(count));
  Tensor t = empty({n}, dtype);
  for (int64_t i = 0; i < n; ++i) {
    const double v = start + static_cast<double>(i) * step;
    if (dtype == DType::f32) {
      t.data<float>()[i] = static_cast<float>(v);
    } else {
      t.data<int64_t>()[i] = static_cast<int64_t>(v);
    }
  }
  return t;
}

Tensor from_vector(const std::vector<float>& values, const Shape& shape) {
  EMBER_CHECK(static_cast<int64_t>(values.size()) == numel_of(shape),
              "from_vector: {} values cannot fill shape {} ({} elements)", values.size(), shape_str(shape),
              numel_of(shape));
  Tensor t = empty(shape, DType::f32);
  if (!values.empty()) std::memcpy(t.data<float>(), values.data(), values.size() * sizeof(float));
  return t;
}

Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape) {
  EMBER_CHECK(static_cast<int64_t>(values.size()) == numel_of(shape),
              "from_vector: {} values cannot fill shape {} ({} elements)", values.size(), shape_str(shape),
              numel_of(shape));
  Tensor t = empty(shape, DType::i64);
  if (!values.empty()) std::memcpy(t.data<int64_t>(), values.data(), values.size() * sizeof(int64_t));
  return t;
}

Tensor tensor(std::initializer_list<float> values) {
  return from_vector(std::vector<float>(values), {static_cast<int64_t>(values.size())});
}

Tensor tensor(std::initializer_list<std::initializer_list<float>> rows) {
  const int64_t n_rows = static_cast<int64_t>(rows.size());
  const int64_t n_cols = n_rows == 0 ? 0 : static_cast<int64_t>(rows.begin()->size());
  std::vector<float> values;
  values.reserve(static_cast<size_t>(n_rows * n_cols));
  int64_t r = 0;
  for (const auto& row : rows) {
    EMBER_CHECK(static_cast<int64_t>(row.size()) == n_cols, "tensor: row {} has {} values but row 0 has {}", r,
                row.size(), n_cols);
    values.insert(values.end(), row.begin(), row.end());
    ++r;
  }
  return from_vector(values, {n_rows, n_cols});
}

Tensor labels(std::initializer_list<int64_t> values) {
  return from_vector(std::vector<int64_t>(values), {static_cast<int64_t>(values.size())});
}

Tensor to_dtype(const Tensor& t, DType dtype) {
  Tensor out = empty(t.shape(), dtype);
  if (dtype == DType::f32) {
    const auto values = t.to_vector<float>();
    std::copy(values.begin(), values.end(), out.data<float>());
  } else {
    const auto values = t.to_vector<double>();
    int64_t* p = out.data<int64_t>();
    for (size_t i = 0; i < values.size(); ++i) p[i] = static_cast<int64_t>(values[i]);
  }
  return out;
}

}  // namespace ember
