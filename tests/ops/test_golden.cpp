// Golden tests: every op in ember/ops/*.h against PyTorch.
//
// tests/golden/make_golden.py (run with PyTorch) writes, per case, the op inputs, the forward
// output, a random upstream gradient grad_out and the gradient of every float input. Here each
// case reruns the op in ember on the same inputs (as leaves that require grad), calls
// out.backward(grad_out) and compares the output and every gradient. Integer outputs (argmax,
// max indices) must match exactly.
#include <functional>
#include <string>
#include <vector>

#include "support/golden.h"
#include "support/helpers.h"

using namespace ember;
using ember::test::check_bitwise_equal;
using ember::test::check_close;
using ember::test::Golden;

namespace {

constexpr double kAtol = 1e-5;
constexpr double kRtol = 1e-4;

using Op = std::function<Tensor(const TensorList&)>;

struct Tolerance {
  double atol = kAtol;
  double rtol = kRtol;
};

// A fresh handle on a recorded tensor; float ones become leaves that require grad, so the
// gradients land on a tensor this case owns.
Tensor input(const Golden& g, const std::string& name) {
  Tensor t = g[name].detach();
  if (t.dtype() == DType::f32) t.requires_grad_();
  return t;
}

// Runs one recorded case: loads `<c>.<input>` for each input name, checks op's output against
// `<c>.out`, backpropagates `<c>.grad_out` and checks `<c>.grad_<input>` for every float input.
// With `indices`, op's result must be the values and `*indices` is compared with `<c>.indices`.
void run_case(const Golden& g, const std::string& c, const std::vector<std::string>& names, const Op& op,
              Tolerance tol = {}, Tensor* indices = nullptr) {
  INFO("golden case '" << c << "'");
  TensorList xs;
  for (const auto& n : names) xs.push_back(input(g, c + "." + n));
  Tensor out = op(xs);
  check_close(out, g[c + ".out"], tol.atol, tol.rtol);
  if (indices) check_bitwise_equal(*indices, g[c + ".indices"]);
  out.backward(g[c + ".grad_out"]);
  for (size_t i = 0; i < names.size(); ++i) {
    if (xs[i].dtype() != DType::f32) continue;
    INFO("gradient of '" << names[i] << "'");
    REQUIRE_MESSAGE(xs[i].grad().defined(), "no gradient reached input " << names[i]);
    check_close(xs[i].grad(), g[c + ".grad_" + names[i]], tol.atol, tol.rtol);
  }
}

void run_cases(const Golden& g, const std::vector<std::string>& cases, const std::vector<std::string>& names,
               const Op& op, Tolerance tol = {}) {
  for (const auto& c : cases) run_case(g, c, names, op, tol);
}

// An integer-valued scalar argument recorded as a float (e.g. softmax's dim).
int64_t int_arg(const Golden& g, const std::string& name) { return static_cast<int64_t>(g.scalar(name)); }

}  // namespace

TEST_CASE("golden: elementwise ops match PyTorch") {
  const Golden g("elementwise");
  const std::vector<std::string> shapes = {"", "_bcast_3x1", "_bcast_4", "_bcast_both", "_bcast_left", "_bcast_0d"};
  auto binary_cases = [&](const std::string& op) {
    std::vector<std::string> cases;
    for (const auto& s : shapes) cases.push_back(op + s);
    return cases;
  };

  SUBCASE("add") { run_cases(g, binary_cases("add"), {"a", "b"}, [](const TensorList& x) { return add(x[0], x[1]); }); }
  SUBCASE("sub") { run_cases(g, binary_cases("sub"), {"a", "b"}, [](const TensorList& x) { return sub(x[0], x[1]); }); }
  SUBCASE("mul") { run_cases(g, binary_cases("mul"), {"a", "b"}, [](const TensorList& x) { return mul(x[0], x[1]); }); }
  SUBCASE("div") { run_cases(g, binary_cases("div"), {"a", "b"}, [](const TensorList& x) { return div(x[0], x[1]); }); }
  SUBCASE("div by zero (IEEE inf and nan)") {
    run_case(g, "div_by_zero", {"a", "b"}, [](const TensorList& x) { return div(x[0], x[1]); });
  }
  SUBCASE("tensor-scalar forms") {
    run_case(g, "add_scalar", {"a"}, [&](const TensorList& x) { return add(x[0], g.scalar("add_scalar.scalar")); });
    run_case(g, "sub_scalar", {"a"}, [&](const TensorList& x) { return sub(x[0], g.scalar("sub_scalar.scalar")); });
    run_case(g, "rsub_scalar", {"b"}, [&](const TensorList& x) { return sub(g.scalar("rsub_scalar.scalar"), x[0]); });
    run_case(g, "mul_scalar", {"a"}, [&](const TensorList& x) { return mul(x[0], g.scalar("mul_scalar.scalar")); });
    run_case(g, "div_scalar", {"a"}, [&](const TensorList& x) { return div(x[0], g.scalar("div_scalar.scalar")); });
    run_case(g, "rdiv_scalar", {"b"}, [&](const TensorList& x) { return div(g.scalar("rdiv_scalar.scalar"), x[0]); });
  }
  SUBCASE("neg") { run_case(g, "neg", {"x"}, [](const TensorList& x) { return neg(x[0]); }); }
  SUBCASE("exp") { run_case(g, "exp", {"x"}, [](const TensorList& x) { return exp(x[0]); }); }
  SUBCASE("log") {
    run_cases(g, {"log", "log_zero"}, {"x"}, [](const TensorList& x) { return log(x[0]); });
  }
  SUBCASE("pow") {
    for (const std::string c : {"pow_2", "pow_3", "pow_half", "pow_m1p5"}) {
      const float p = g.scalar(c + ".exponent");
      run_case(g, c, {"x"}, [p](const TensorList& x) { return pow(x[0], p); });
    }
  }
  SUBCASE("sqrt") { run_case(g, "sqrt", {"x"}, [](const TensorList& x) { return sqrt(x[0]); }); }
  SUBCASE("abs") { run_case(g, "abs", {"x"}, [](const TensorList& x) { return abs(x[0]); }); }
  SUBCASE("clamp") {
    run_case(g, "clamp_min", {"x"},
             [&](const TensorList& x) { return clamp(x[0], g.scalar("clamp_min.min"), std::nullopt); });
    run_case(g, "clamp_max", {"x"},
             [&](const TensorList& x) { return clamp(x[0], std::nullopt, g.scalar("clamp_max.max")); });
    run_case(g, "clamp_both", {"x"}, [&](const TensorList& x) {
      return clamp(x[0], g.scalar("clamp_both.min"), g.scalar("clamp_both.max"));
    });
  }
}

TEST_CASE("golden: activations match PyTorch") {
  const Golden g("activation");
  SUBCASE("relu") { run_case(g, "relu", {"x"}, [](const TensorList& x) { return relu(x[0]); }); }
  SUBCASE("leaky_relu") {
    const float slope = g.scalar("leaky_relu.negative_slope");
    run_case(g, "leaky_relu", {"x"}, [slope](const TensorList& x) { return leaky_relu(x[0], slope); });
  }
  SUBCASE("sigmoid") { run_case(g, "sigmoid", {"x"}, [](const TensorList& x) { return sigmoid(x[0]); }); }
  SUBCASE("tanh") { run_case(g, "tanh", {"x"}, [](const TensorList& x) { return tanh(x[0]); }); }
  SUBCASE("gelu") { run_case(g, "gelu", {"x"}, [](const TensorList& x) { return gelu(x[0]); }); }
  SUBCASE("hardswish") { run_case(g, "hardswish", {"x"}, [](const TensorList& x) { return hardswish(x[0]); }); }
  const std::vector<std::string> tags = {"d0", "d1", "dm1", "large_d0", "large_d1", "large_dm1", "huge_dm1"};
  SUBCASE("softmax") {
    for (const auto& t : tags) {
      const std::string c = "softmax_" + t;
      const int64_t dim = int_arg(g, c + ".dim");
      run_case(g, c, {"x"}, [dim](const TensorList& x) { return softmax(x[0], dim); });
    }
  }
  SUBCASE("log_softmax") {
    for (const auto& t : tags) {
      const std::string c = "log_softmax_" + t;
      const int64_t dim = int_arg(g, c + ".dim");
      run_case(g, c, {"x"}, [dim](const TensorList& x) { return log_softmax(x[0], dim); });
    }
  }
}

TEST_CASE("golden: reductions match PyTorch") {
  const Golden g("reduce");
  struct DimsCase {
    const char* suffix;
    std::vector<int64_t> dims;
    bool keepdim;
  };
  const std::vector<DimsCase> dims_cases = {{"_d0", {0}, false},         {"_d1_keep", {1}, true},
                                            {"_dm1", {-1}, false},       {"_d02", {0, 2}, false},
                                            {"_d02_keep", {0, 2}, true}, {"_dm1_m3_keep", {-1, -3}, true},
                                            {"_d012", {0, 1, 2}, false}};
  SUBCASE("sum") {
    run_cases(g, {"sum_all", "sum_all_3d"}, {"x"}, [](const TensorList& x) { return sum(x[0]); });
    for (const auto& d : dims_cases) {
      run_case(g, std::string("sum") + d.suffix, {"x"},
               [&d](const TensorList& x) { return sum(x[0], d.dims, d.keepdim); });
    }
  }
  SUBCASE("mean") {
    run_cases(g, {"mean_all", "mean_all_3d"}, {"x"}, [](const TensorList& x) { return mean(x[0]); });
    for (const auto& d : dims_cases) {
      run_case(g, std::string("mean") + d.suffix, {"x"},
               [&d](const TensorList& x) { return mean(x[0], d.dims, d.keepdim); });
    }
  }
  SUBCASE("max along a dim (values, indices, gradient)") {
    struct MaxCase {
      const char* name;
      int64_t dim;
      bool keepdim;
    };
    for (const MaxCase& m : {MaxCase{"max_d1", 1, false}, MaxCase{"max_d0_keep", 0, true},
                             MaxCase{"max_dm1", -1, false}, MaxCase{"max_1d", 0, false},
                             MaxCase{"max_ties", 1, false}}) {
      Tensor indices;
      run_case(
          g, m.name, {"x"},
          [&](const TensorList& x) {
            auto [values, idx] = max_with_indices(x[0], m.dim, m.keepdim);
            indices = idx;
            return values;
          },
          {}, &indices);
      // max() is the values half of max_with_indices.
      INFO("max() on case " << m.name);
      check_close(max(g[std::string(m.name) + ".x"], m.dim, m.keepdim), g[std::string(m.name) + ".out"]);
    }
  }
  SUBCASE("argmax") {
    struct ArgmaxCase {
      const char* name;
      int64_t dim;
      bool keepdim;
    };
    for (const ArgmaxCase& m : {ArgmaxCase{"argmax_d1", 1, false}, ArgmaxCase{"argmax_d0_keep", 0, true},
                                ArgmaxCase{"argmax_dm1", -1, false}, ArgmaxCase{"argmax_ties", 1, false}}) {
      INFO("golden case '" << m.name << "'");
      Tensor x = g[std::string(m.name) + ".x"];
      check_bitwise_equal(argmax(x, m.dim, m.keepdim), g[std::string(m.name) + ".out"]);
    }
  }
}

TEST_CASE("golden: matmul and linear match PyTorch") {
  const Golden g("linalg");
  SUBCASE("matmul 2-D") {
    run_case(g, "matmul_mm", {"a", "b"}, [](const TensorList& x) { return matmul(x[0], x[1]); });
  }
  SUBCASE("matmul batched and broadcast") {
    run_cases(g, {"matmul_bmm", "matmul_bcast_4d_3d", "matmul_bcast_2d_3d", "matmul_bcast_3d_2d", "matmul_bcast_1_b"},
              {"a", "b"}, [](const TensorList& x) { return matmul(x[0], x[1]); });
  }
  SUBCASE("matmul with vectors") {
    run_cases(g, {"matmul_dot", "matmul_vecmat", "matmul_matvec"}, {"a", "b"},
              [](const TensorList& x) { return matmul(x[0], x[1]); });
  }
  SUBCASE("matmul batched with a vector") {
    run_cases(g, {"matmul_vec_batched", "matmul_batched_vec"}, {"a", "b"},
              [](const TensorList& x) { return matmul(x[0], x[1]); });
  }
  SUBCASE("linear") {
    run_cases(g, {"linear_bias_2d", "linear_bias_3d"}, {"x", "weight", "bias"},
              [](const TensorList& x) { return linear(x[0], x[1], x[2]); });
    run_cases(g, {"linear_nobias_2d", "linear_nobias_3d"}, {"x", "weight"},
              [](const TensorList& x) { return linear(x[0], x[1]); });
  }
}

TEST_CASE("golden: losses match PyTorch") {
  const Golden g("loss");
  const std::vector<std::pair<std::string, Reduction>> reductions = {
      {"mean", Reduction::mean}, {"sum", Reduction::sum}, {"none", Reduction::none}};
  SUBCASE("cross_entropy") {
    for (const auto& [tag, r] : reductions) {
      run_case(g, "ce_" + tag, {"logits", "targets"},
               [r = r](const TensorList& x) { return cross_entropy(x[0], x[1], r); });
    }
  }
  SUBCASE("cross_entropy with label smoothing") {
    for (const auto& [tag, r] : reductions) {
      const std::string c = "ce_ls_" + tag;
      const float s = g.scalar(c + ".label_smoothing");
      run_case(g, c, {"logits", "targets"},
               [r = r, s](const TensorList& x) { return cross_entropy(x[0], x[1], r, s); });
    }
  }
  SUBCASE("cross_entropy with huge logits") {
    // Losses here are up to ~4e4, where one float32 ulp is ~4e-3: the rtol covers it.
    for (const auto& [tag, r] : reductions) {
      run_case(g, "ce_huge_" + tag, {"logits", "targets"},
               [r = r](const TensorList& x) { return cross_entropy(x[0], x[1], r); });
    }
    const float s = g.scalar("ce_huge_ls_none.label_smoothing");
    run_case(g, "ce_huge_ls_none", {"logits", "targets"},
             [s](const TensorList& x) { return cross_entropy(x[0], x[1], Reduction::none, s); });
  }
  SUBCASE("nll_loss on log_softmax") {
    for (const auto& [tag, r] : reductions) {
      run_case(g, "nll_logsm_" + tag, {"logits", "targets"},
               [r = r](const TensorList& x) { return nll_loss(log_softmax(x[0], 1), x[1], r); });
      run_case(g, "nll_" + tag, {"log_probs", "targets"},
               [r = r](const TensorList& x) { return nll_loss(x[0], x[1], r); });
    }
  }
  SUBCASE("mse_loss") {
    for (const auto& [tag, r] : reductions) {
      run_case(g, "mse_" + tag, {"input", "target"}, [r = r](const TensorList& x) { return mse_loss(x[0], x[1], r); });
    }
    run_case(g, "mse_3d_mean", {"input", "target"}, [](const TensorList& x) { return mse_loss(x[0], x[1]); });
  }
}

TEST_CASE("golden: shape ops match PyTorch") {
  const Golden g("shape");
  auto one = [&](const std::string& c, const std::function<Tensor(const Tensor&)>& f) {
    run_case(g, c, {"x"}, [&f](const TensorList& x) { return f(x[0]); });
  };
  SUBCASE("reshape") {
    one("reshape", [](const Tensor& x) { return reshape(x, {4, 6}); });
    one("reshape_infer", [](const Tensor& x) { return reshape(x, {-1, 4}); });
    one("reshape_transposed", [](const Tensor& x) { return reshape(x.t(), {12}); });
  }
  SUBCASE("view") { one("view", [](const Tensor& x) { return view(x, {6, 4}); }); }
  SUBCASE("contiguous") {
    one("contiguous_transposed", [](const Tensor& x) { return contiguous(x.t()); });
  }
  SUBCASE("clone") { one("clone", [](const Tensor& x) { return clone(x); }); }
  SUBCASE("permute") {
    one("permute", [](const Tensor& x) { return permute(x, {2, 0, 1}); });
    one("permute_neg", [](const Tensor& x) { return permute(x, {-1, 0, -2}); });
  }
  SUBCASE("transpose") {
    one("transpose", [](const Tensor& x) { return transpose(x, 0, 2); });
    one("transpose_neg", [](const Tensor& x) { return transpose(x, -1, -2); });
  }
  SUBCASE("narrow") {
    one("narrow", [](const Tensor& x) { return narrow(x, 1, 1, 2); });
    one("narrow_neg", [](const Tensor& x) { return narrow(x, -1, 2, 3); });
  }
  SUBCASE("slice") {
    one("slice_step", [](const Tensor& x) { return slice(x, 1, 0, 5, 2); });
    one("slice_neg", [](const Tensor& x) { return slice(x, 2, -5, -1, 2); });
    one("slice_clamped", [](const Tensor& x) { return slice(x, 0, 1, 100); });
  }
  SUBCASE("select") {
    one("select", [](const Tensor& x) { return select(x, 1, 2); });
    one("select_neg", [](const Tensor& x) { return select(x, -1, -1); });
  }
  SUBCASE("expand") {
    one("expand", [](const Tensor& x) { return expand(x, {2, 3, 4}); });
    one("expand_keep", [](const Tensor& x) { return expand(x, {-1, 4}); });
  }
  SUBCASE("squeeze") {
    one("squeeze_all", [](const Tensor& x) { return squeeze(x); });
    one("squeeze_dim", [](const Tensor& x) { return squeeze(x, 2); });
    one("squeeze_neg", [](const Tensor& x) { return squeeze(x, -2); });
    one("squeeze_noop", [](const Tensor& x) { return squeeze(x, 1); });
  }
  SUBCASE("unsqueeze") {
    one("unsqueeze_0", [](const Tensor& x) { return unsqueeze(x, 0); });
    one("unsqueeze_1", [](const Tensor& x) { return unsqueeze(x, 1); });
    one("unsqueeze_2", [](const Tensor& x) { return unsqueeze(x, 2); });
    one("unsqueeze_m1", [](const Tensor& x) { return unsqueeze(x, -1); });
  }
  SUBCASE("flatten") {
    one("flatten", [](const Tensor& x) { return flatten(x); });
    one("flatten_1", [](const Tensor& x) { return flatten(x, 1); });
    one("flatten_1_2", [](const Tensor& x) { return flatten(x, 1, 2); });
  }
  SUBCASE("cat") {
    run_cases(g, {"cat_d0"}, {"x0", "x1", "x2"}, [](const TensorList& x) { return cat(x, 0); });
    run_cases(g, {"cat_d1"}, {"x0", "x1", "x2"}, [](const TensorList& x) { return cat(x, 1); });
    run_cases(g, {"cat_dm1_3d"}, {"x0", "x1"}, [](const TensorList& x) { return cat(x, -1); });
  }
  SUBCASE("stack") {
    run_cases(g, {"stack_d0"}, {"x0", "x1", "x2"}, [](const TensorList& x) { return stack(x, 0); });
    run_cases(g, {"stack_d1"}, {"x0", "x1", "x2"}, [](const TensorList& x) { return stack(x, 1); });
    run_cases(g, {"stack_dm1"}, {"x0", "x1"}, [](const TensorList& x) { return stack(x, -1); });
  }
}
