// The example from README.md, kept compiling and running by ctest (examples.readme).
#include <ember/ember.h>
using namespace ember;

int main() {
  manual_seed(0);
  Tensor x = randn({300, 2});                          // inputs
  Tensor y = argmax(matmul(x, randn({2, 3})), 1);       // int64 labels: 3 linear classes
  Tensor w1 = (randn({64, 2}) * 0.5f).requires_grad_(), b1 = zeros({64}).requires_grad_();
  Tensor w2 = (randn({3, 64}) * 0.1f).requires_grad_(), b2 = zeros({3}).requires_grad_();

  for (int step = 0; step < 500; ++step) {
    Tensor logits = linear(linear(x, w1, b1).relu(), w2, b2);
    Tensor loss = cross_entropy(logits, y);           // fused, numerically stable
    loss.backward();                                   // gradients land in .grad()
    NoGradGuard no_grad;                               // the update is not recorded
    for (const Tensor& p : {w1, b1, w2, b2}) {
      p.add_(p.grad(), -0.1f);                         // plain SGD
      p.zero_grad();
    }
    if (step % 100 == 0) fmt::print("step {} loss {:.4f}\n", step, loss.item());
  }
}
