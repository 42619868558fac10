#include "support/golden.h"

#include <fstream>
#include <sstream>

namespace ember::test {

Golden::Golden(const std::string& family) : path_(std::string(EMBER_GOLDEN_DIR) + "/" + family + ".txt") {
  std::ifstream in(path_);
  EMBER_CHECK(in.good(), "golden: cannot open {} (run tests/golden/make_golden.py to create it)", path_);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream header(line);
    std::string name, dtype;
    int64_t ndim = -1;
    header >> name >> dtype >> ndim;
    EMBER_CHECK(header && (dtype == "f32" || dtype == "i64") && ndim >= 0 && ndim <= 8,
                "golden: {} line {}: malformed header '{}'", path_, line_no, line);
    Shape shape(static_cast<size_t>(ndim));
    for (auto& s : shape) header >> s;
    EMBER_CHECK(static_cast<bool>(header), "golden: {} line {}: missing sizes in '{}'", path_, line_no, line);
    std::getline(in, line);
    ++line_no;
    std::istringstream values(line);
    const int64_t n = numel_of(shape);
    if (dtype == "f32") {
      std::vector<float> v(static_cast<size_t>(n));
      for (auto& x : v) {
        std::string token;
        values >> token;
        x = std::stof(token);  // accepts nan and inf
      }
      EMBER_CHECK(static_cast<bool>(values) || n == 0, "golden: {} line {}: expected {} values for {}", path_, line_no,
                  n, name);
      tensors_[name] = from_vector(v, shape);
    } else {
      std::vector<int64_t> v(static_cast<size_t>(n));
      for (auto& x : v) values >> x;
      EMBER_CHECK(static_cast<bool>(values) || n == 0, "golden: {} line {}: expected {} values for {}", path_, line_no,
                  n, name);
      tensors_[name] = from_vector(v, shape);
    }
  }
}

Tensor Golden::operator[](const std::string& name) const {
  auto it = tensors_.find(name);
  EMBER_CHECK(it != tensors_.end(), "golden: {} has no tensor named '{}' (regenerate with make_golden.py)", path_,
              name);
  return it->second;
}

}  // namespace ember::test
