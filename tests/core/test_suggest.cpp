// edit_distance and closest_name: the one measure behind every "did you mean ...?" of the library
// and the `ember` command (commands, flags, model names, choices).
#include "support/helpers.h"

#include "ember/core/suggest.h"

using namespace ember;

TEST_CASE("edit_distance counts insertions, deletions, substitutions and neighbour swaps") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("abc", "") == 3);
  CHECK(edit_distance("train", "train") == 0);
  CHECK(edit_distance("trian", "train") == 1);      // a swap is one edit (plain Levenshtein: 2)
  CHECK(edit_distance("sdg", "sgd") == 1);
  CHECK(edit_distance("--epoch", "--epochs") == 1);  // insertion
  CHECK(edit_distance("adamw", "adam") == 1);        // deletion
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("ca", "abc") == 3);            // optimal string alignment: no edit of a swapped pair
  CHECK(edit_distance("LeNet5", "lenet5") == 2);     // case-sensitive; closest_name is not
  CHECK(edit_distance("abcdef", "badcfe") == 3);
  CHECK(edit_distance("abc", "xyz") == edit_distance("xyz", "abc"));
}

TEST_CASE("closest_name suggests a near name, ignores case, and suggests nothing for a far one") {
  const std::vector<std::string> commands = {"train", "resume", "eval", "summary", "models", "viz", "export-weights"};
  CHECK(closest_name("trian", commands) == "train");
  CHECK(closest_name("TRAIN", commands) == "train");
  CHECK(closest_name("sumary", commands) == "summary");
  CHECK(closest_name("model", commands) == "models");
  CHECK(closest_name("export-weight", commands) == "export-weights");
  CHECK_FALSE(closest_name("x", commands));
  CHECK_FALSE(closest_name("frobnicate", commands));
  CHECK_FALSE(closest_name("", commands));

  const std::vector<std::string> models = {"lenet5", "lenet5_classic", "simplecnn", "alexnet", "alexnet_cifar", "resnet"};
  CHECK(closest_name("LeNet5", models) == "lenet5");
  CHECK(closest_name("lenet", models) == "lenet5");       // a prefix; ties go to the earlier name
  CHECK(closest_name("alexnet-cifar", models) == "alexnet_cifar");
  CHECK(closest_name("simplecn", models) == "simplecnn");
  CHECK(closest_name("resnt", models) == "resnet");
  CHECK_FALSE(closest_name("le", models));                // too short to say

  const std::vector<std::string> optimizers = {"sgd", "adam", "adamw", "rmsprop", "adagrad"};
  CHECK(closest_name("SGD", optimizers) == "sgd");
  CHECK(closest_name("sdg", optimizers) == "sgd");
  CHECK(closest_name("adamm", optimizers) == "adam");
  CHECK(closest_name("rmsprob", optimizers) == "rmsprop");
  CHECK_FALSE(closest_name("lbfgs", optimizers));

  const std::vector<std::string> flags = {"--epochs", "--batch", "--test-batch", "--lr", "--seed"};
  CHECK(closest_name("--epoch", flags) == "--epochs");
  CHECK(closest_name("--bacth", flags) == "--batch");
  CHECK(closest_name("--LR", flags) == "--lr");
  CHECK_FALSE(closest_name("--frobnicate", flags));
}

TEST_CASE("match_ignoring_case and did_you_mean") {
  const std::vector<std::string> datasets = {"mnist", "fashion-mnist", "cifar10"};
  CHECK(match_ignoring_case("MNIST", datasets) == "mnist");
  CHECK(match_ignoring_case("Fashion-MNIST", datasets) == "fashion-mnist");
  CHECK_FALSE(match_ignoring_case("fashion_mnist", datasets));
  CHECK(did_you_mean("fashion_mnist", datasets) == "; did you mean 'fashion-mnist'?");
  CHECK(did_you_mean("cifar", datasets) == "; did you mean 'cifar10'?");
  CHECK(did_you_mean("imagenet", datasets).empty());
  CHECK(to_lower("LeNet5-CIFAR") == "lenet5-cifar");
}
