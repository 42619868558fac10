// Builds against the installed ember (ember::ember) and checks one gradient end to end, and that
// the headers and the library are the same version.
#include <ember/ember.h>

#include <cmath>
#include <string_view>

int main() {
  using namespace ember;
  Tensor w = tensor({{1.0f, 2.0f}, {3.0f, 4.0f}}).requires_grad_();
  Tensor x = tensor({{0.5f, -1.0f}});
  Tensor loss = linear(x, w).relu().sum();  // relu([-1.5, -2.5]) + ... = 0; use the other sign
  Tensor loss2 = linear(x.neg(), w).relu().sum();
  loss2.backward();
  // d/dw sum(relu(-x W^T)) = (-x) for each output row that is active: both rows are active.
  const auto g = w.grad().to_vector();
  const bool ok = g == std::vector<float>{-0.5f, 1.0f, -0.5f, 1.0f} && loss.item() == 0.0f;
  const bool version_ok = std::string_view(ember::version()) == EMBER_VERSION_STRING;
  fmt::print("consumer: ember {} (headers {}) loss {} grad {} -> {}\n", ember::version(), EMBER_VERSION_STRING,
             loss2.item(), w.grad(), ok && version_ok ? "ok" : "WRONG");
  return ok && version_ok ? 0 : 1;
}
