// The example from README.md ("Defining a model"), kept compiling and running by ctest (examples.readme);
// examples.readme_block.readme checks that the README shows this file verbatim from the #include on.
#include <ember/ember.h>
using namespace ember;

struct Net : nn::Module {                              // a model, the way PyTorch writes one
  std::shared_ptr<nn::Linear> fc1, fc2;
  Net() : Module("Net") {
    fc1 = register_module("fc1", std::make_shared<nn::Linear>(2, 64));
    fc2 = register_module("fc2", std::make_shared<nn::Linear>(64, 3));
  }
  Tensor forward(const Tensor& x) override { return fc2->forward(fc1->forward(x).relu()); }
};

int main() {
  manual_seed(0);                                      // same seed, same bits, any thread count
  Tensor x = randn({300, 2});
  Tensor y = argmax(matmul(x, randn({2, 3})), 1);      // int64 labels: 3 linear classes
  Net net;
  optim::SGD opt(net.parameters(), optim::SGDOptions(0.1).momentum(0.9));
  for (int step = 0; step < 300; ++step) {
    opt.zero_grad();
    Tensor loss = cross_entropy(net(x), y);            // fused log-softmax + NLL, stable
    loss.backward();                                   // gradients land in .grad()
    opt.step();
    if (step % 100 == 0) fmt::print("step {} loss {:.4f}\n", step, loss.item());
  }
}
