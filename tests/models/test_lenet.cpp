// LeNet-5 classic and modern: shapes, gradients, PyTorch's counts and names, and a golden
// forward/backward against PyTorch (tests/golden/golden_models.py, family "models").
#include "models/model_checks.h"
#include "support/golden.h"

#include "ember/models/lenet.h"

using namespace ember;
using namespace ember::models;
using ember::test::check_close;
using ember::test::check_error;

TEST_CASE("LeNet5Classic: 32x32 input, tanh or sigmoid, 61,706 parameters as PyTorch") {
  manual_seed(0);
  for (Activation a : {Activation::tanh, Activation::sigmoid, Activation::relu}) {
    CAPTURE(to_string(a));
    LeNet5Classic net(LeNet5Options().activation(a));
    CHECK(parameter_count(net) == 61706);
    test::check_forward_backward(net, randn({2, 1, 32, 32}), Shape{2, 10});
  }
  LeNet5Classic net;  // tanh by default
  CHECK(net.features->named_children()[1].second->type_name() == "Tanh");
  CHECK(test::state_dict_keys(net) ==
        std::vector<std::string>{"features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
                                 "features.6.weight", "features.6.bias", "classifier.1.weight", "classifier.1.bias",
                                 "classifier.3.weight", "classifier.3.bias"});
}

TEST_CASE("LeNet5 (modern): PyTorch's state_dict keys and count, forward/backward, modes") {
  manual_seed(1);
  LeNet5 net;
  CHECK(parameter_count(net) == 61706);
  // print(list(lenet5().state_dict().keys())) in tests/golden/golden_models.py
  CHECK(test::state_dict_keys(net) ==
        std::vector<std::string>{"features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
                                 "classifier.1.weight", "classifier.1.bias", "classifier.3.weight",
                                 "classifier.3.bias", "classifier.5.weight", "classifier.5.bias"});
  test::check_forward_backward(net, randn({2, 1, 28, 28}), Shape{2, 10});
  net.eval();
  test::check_mode(net, false);
  net.train();
  test::check_mode(net, true);
  LeNet5 tanh_net(LeNet5Options().activation(Activation::tanh));
  CHECK(tanh_net.features->named_children()[1].second->type_name() == "Tanh");
}

TEST_CASE("LeNet-5 options are validated") {
  check_error([] { LeNet5 bad(LeNet5Options().in_channels(0)); }, {"LeNet5", "in_channels 0"});
  check_error([] { LeNet5Classic bad(LeNet5Options().num_classes(0).activation(Activation::tanh)); },
              {"LeNet5Classic", "num_classes 0"});
  check_error([] { LeNet5 bad(LeNet5Options().activation(static_cast<Activation>(9))); }, {"unknown activation"});
}

TEST_CASE("LeNet5 golden: PyTorch's logits, loss and every gradient from the same weights") {
  const test::Golden g("models");
  LeNet5 net;
  nn::StateDict state;
  for (const auto& [name, p] : net.named_parameters()) state.insert(name, g["lenet." + name]);
  net.load_state_dict(state);
  const Tensor logits = net(g["lenet.x"]);
  check_close(logits, g["lenet.logits"], 1e-5, 1e-4);
  const Tensor loss = cross_entropy(logits, g["lenet.targets"]);
  check_close(loss, g["lenet.loss"], 1e-5, 1e-5);
  loss.backward();
  for (const auto& [name, p] : net.named_parameters()) {
    INFO("gradient of ", name);
    check_close(p.grad(), g["lenet.grad." + name], 1e-5, 1e-4);
  }
}
