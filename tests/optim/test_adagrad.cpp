// Adagrad: PyTorch golden runs for every option, bad options.
#include "optim/optim_golden.h"

using namespace ember;
using namespace ember::optim;
using ember::test::check_error;
using ember::test::check_optim_golden;

TEST_CASE("Adagrad matches PyTorch after 5 steps for every option") {
  check_optim_golden("adagrad", [](const TensorList& p) { return std::make_unique<Adagrad>(p, AdagradOptions(0.1)); });
  check_optim_golden("adagrad_all", [](const TensorList& p) {
    return std::make_unique<Adagrad>(
        p, AdagradOptions(0.1).lr_decay(0.05).weight_decay(0.1).initial_accumulator_value(0.2).eps(1e-6));
  });
}

TEST_CASE("Adagrad rejects bad options") {
  const Tensor p = zeros({2}).requires_grad_();
  check_error([&] { Adagrad({p}, AdagradOptions(-0.1)); }, {"Adagrad", "learning rate", "-0.1"});
  check_error([&] { Adagrad({p}, AdagradOptions().lr_decay(-1)); }, {"Adagrad", "lr_decay", "-1"});
  check_error([&] { Adagrad({p}, AdagradOptions().initial_accumulator_value(-0.5)); },
              {"Adagrad", "initial_accumulator_value", "-0.5"});
  check_error([&] { Adagrad({p}, AdagradOptions().eps(-1)); }, {"Adagrad", "eps", "-1"});
}
