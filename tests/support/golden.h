#pragma once
// Golden data written by tests/golden/make_golden.py (PyTorch) and read by the op tests.
//
// File format (text, one file per op family in tests/golden/data/<family>.txt):
//   # comment lines
//   <name> <dtype: f32|i64> <ndim> <size>...
//   <values, whitespace-separated; floats printed with 9 significant digits (exact for float32)>
#include <map>
#include <string>

#include <ember/ember.h>

namespace ember::test {

class Golden {
 public:
  // Reads tests/golden/data/<family>.txt; throws ember::Error if missing or malformed.
  explicit Golden(const std::string& family);
  // The tensor recorded under `name`; throws ember::Error naming it if absent.
  Tensor operator[](const std::string& name) const;
  bool contains(const std::string& name) const { return tensors_.count(name) > 0; }
  // Scalars recorded as 0-d tensors, for op arguments.
  float scalar(const std::string& name) const { return (*this)[name].item(); }

 private:
  std::string path_;
  std::map<std::string, Tensor> tensors_;
};

}  // namespace ember::test
