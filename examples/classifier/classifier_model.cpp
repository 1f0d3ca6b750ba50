#include "examples/classifier/classifier_model.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "autograd/autograd.h"
#include "data/fashion_mnist.h"
#include "examples/common/program.h"
#include "nn/checkpoint.h"
#include "nn/losses.h"

namespace minidl::examples {

ClassifierArch parse_classifier_arch(const std::string& name) {
  if (name == "mlp") return ClassifierArch::Mlp;
  if (name == "conv") return ClassifierArch::Conv;
  MINIDL_FAIL("--arch: unknown architecture '" << name << "' (choose mlp or conv)");
}

Classifier::Classifier(ClassifierShape shape, Generator& generator) : shape_(shape) {
  MINIDL_CHECK(shape.input > 0 && shape.hidden > 0 && shape.classes > 0 && shape.channels > 0,
               "Classifier: sizes must be positive, got input "
                   << shape.input << ", hidden " << shape.hidden << ", classes " << shape.classes
                   << ", channels " << shape.channels);
  if (shape.arch == ClassifierArch::Conv) {
    MINIDL_CHECK(shape.input == 28 * 28, "Classifier: the conv architecture takes 28x28 images ("
                                             << 28 * 28 << " pixels), got " << shape.input);
    // Padding 1 keeps 28x28 and 14x14 through the 3x3 kernels; the pools halve them to 7x7.
    const nn::Conv2dOptions same{.padding = {1, 1}};
    const int64_t c = shape.channels;
    conv1_ =
        register_module("conv1", std::make_shared<nn::Conv2d>(1, c, Size2{3, 3}, same, generator));
    conv2_ = register_module("conv2",
                             std::make_shared<nn::Conv2d>(c, 2 * c, Size2{3, 3}, same, generator));
    hidden1_ = register_module(
        "hidden1", std::make_shared<nn::Linear>(2 * c * 7 * 7, shape.hidden, true, generator));
  } else {
    hidden1_ = register_module(
        "hidden1", std::make_shared<nn::Linear>(shape.input, shape.hidden, true, generator));
    hidden2_ = register_module(
        "hidden2", std::make_shared<nn::Linear>(shape.hidden, shape.hidden, true, generator));
  }
  output_ = register_module(
      "output", std::make_shared<nn::Linear>(shape.hidden, shape.classes, true, generator));
}

std::string Classifier::name() const {
  if (shape_.arch == ClassifierArch::Conv) {
    const int64_t c = shape_.channels;
    return "Classifier(conv 1x28x28 -> " + std::to_string(c) + "x14x14 -> " +
           std::to_string(2 * c) + "x7x7 -> " + std::to_string(shape_.hidden) + " -> " +
           std::to_string(shape_.classes) + ")";
  }
  return "Classifier(" + std::to_string(shape_.input) + " -> " + std::to_string(shape_.hidden) +
         " -> " + std::to_string(shape_.hidden) + " -> " + std::to_string(shape_.classes) + ")";
}

Variable Classifier::features(const Variable& x) const {
  if (shape_.arch == ClassifierArch::Mlp) {
    return relu(hidden2_->forward(relu(hidden1_->forward(x))));
  }
  const Size2 two{2, 2};
  Variable h = reshape(x, {x.data().size(0), 1, 28, 28});
  h = max_pool2d(relu(conv1_->forward(h)), two, two);
  h = max_pool2d(relu(conv2_->forward(h)), two, two);
  return relu(hidden1_->forward(flatten(h, 1)));
}

Variable Classifier::output(const Variable& features) const { return output_->forward(features); }

Variable Classifier::forward(const Variable& x) { return output(features(x)); }

ClassifierStep train_classifier_step(Classifier& classifier, optim::Adam& adam,
                                     const Tensor& inputs, const Tensor& labels,
                                     const std::string& where, GradientAverager* averager) {
  ClassifierStep step;
  step.logits = classifier(Variable(inputs));  // [B, classes]
  Variable loss = nn::cross_entropy(step.logits, labels);
  step.loss = loss.item();
  check_finite_loss(where, "the cross-entropy", step.loss);
  classifier.zero_grad();
  loss.backward();
  if (averager) averager->synchronize();
  adam.step();
  return step;
}

EpochResult train_classifier_epoch(Classifier& classifier, optim::Adam& adam,
                                   data::DataLoader& loader, ProgressLine* progress,
                                   GradientAverager* averager) {
  classifier.train();
  double loss_sum = 0;
  int64_t correct = 0, seen = 0, step = 0;
  while (std::optional<data::Batch> batch = loader.next()) {
    const auto [logits, loss] =
        train_classifier_step(classifier, adam, batch->inputs, batch->labels,
                              "step " + std::to_string(step + 1) + " of the epoch", averager);
    loss_sum += loss * double(batch->size());
    correct += int64_t(sum(eq(argmax(logits.data(), 1), batch->labels)).item());
    seen += batch->size();
    ++step;
    if (progress) {
      char text[64];
      std::snprintf(text, sizeof text, "loss %.4f", loss_sum / double(seen));
      progress->update(step, seen * ranks(), text);
    }
  }
  loss_sum = sum_over_ranks(loss_sum);
  correct = int64_t(sum_over_ranks(double(correct)));
  seen = int64_t(sum_over_ranks(double(seen)));
  return {loss_sum / double(seen), double(correct) / double(seen)};
}

std::shared_ptr<Classifier> load_or_train_classifier(const std::string& path,
                                                     const std::string& data_dir) {
  if (std::filesystem::exists(path)) return load_classifier(path);
  std::fprintf(stderr,
               "no evaluator classifier at %s: training one (5 epochs) into %s (--classifier FILE "
               "names another)\n",
               path.c_str(), std::filesystem::absolute(path).lexically_normal().c_str());
  data::LabelledImages train =
      data::load_fashion_mnist(data::Split::Train, data_dir, {.height = 28, .width = 28});
  Generator init(1);
  auto classifier = std::make_shared<Classifier>(ClassifierShape{}, init);
  optim::Adam adam(classifier->parameters(), {.lr = 1e-3});
  data::DataLoader loader(train.images, train.labels,
                          {.batch_size = 128, .shuffle = true, .seed = 2});
  for (int epoch = 1; epoch <= 5; ++epoch) {
    ProgressLine progress("classifier epoch " + std::to_string(epoch) + "/5",
                          loader.batches_per_epoch());
    EpochResult result = train_classifier_epoch(*classifier, adam, loader, &progress);
    char summary[64];
    std::snprintf(summary, sizeof summary, "train accuracy %.2f%%", 100 * result.accuracy);
    progress.finish(summary);
  }
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  nn::save(*classifier, path);
  classifier->eval();
  return classifier;
}

std::string weights_digest(nn::Module& module) {
  uLong crc = crc32(0L, Z_NULL, 0);
  auto add = [&](const void* data, size_t bytes) {
    // zlib takes at most 4 GiB per call (uInt).
    for (size_t done = 0; done < bytes;) {
      const size_t chunk = std::min<size_t>(bytes - done, size_t(1) << 30);
      crc = crc32(crc, static_cast<const Bytef*>(data) + done, uInt(chunk));
      done += chunk;
    }
  };
  for (const auto& [name, tensor] : nn::state_dict(module)) {
    std::ostringstream header;
    header << name << ' ' << tensor.shape() << ' ' << dtype_name(tensor.dtype()) << '\n';
    add(header.str().data(), header.str().size());
    const Tensor values = tensor.contiguous();
    add(values.raw_data(), size_t(values.numel()) * dtype_size(values.dtype()));
  }
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08lx", static_cast<unsigned long>(crc & 0xffffffffUL));
  return hex;
}

double accuracy(Classifier& classifier, const Tensor& images, const Tensor& labels) {
  NoGradGuard no_grad;
  int64_t correct = 0;
  for (int64_t begin = 0; begin < images.size(0); begin += 1000) {
    const int64_t count = std::min<int64_t>(1000, images.size(0) - begin);
    Tensor predicted = argmax(classifier(Variable(images.narrow(0, begin, count))).data(), 1);
    correct += int64_t(sum(eq(predicted, labels.narrow(0, begin, count))).item());
  }
  return double(correct) / double(images.size(0));
}

metrics::Evaluator make_evaluator(std::shared_ptr<Classifier> classifier) {
  return metrics::Evaluator([classifier](const Tensor& images) {
    NoGradGuard no_grad;
    Variable x(images.reshape({images.size(0), -1}));
    Variable features = classifier->features(x);
    Tensor logits = classifier->output(features).data();
    return metrics::Evaluation{softmax(Variable(logits), 1).data(), features.data()};
  });
}

std::shared_ptr<Classifier> load_classifier(const std::string& path) {
  nn::SafetensorsFile file = nn::load_safetensors(path);
  // The shape is read off the weights, so any --hidden or --arch the classifier was trained with
  // loads.
  Shape first, last, conv1;
  for (const auto& [name, tensor] : file.tensors) {
    if (name == "hidden1.weight") first = tensor.shape();
    if (name == "output.weight") last = tensor.shape();
    if (name == "conv1.weight") conv1 = tensor.shape();
  }
  const bool conv = !conv1.empty();
  MINIDL_CHECK(first.size() == 2 && last.size() == 2,
               "load_classifier: " << path
                                   << ": not a classifier checkpoint (no hidden1.weight "
                                      "and output.weight)");
  Generator unused(0);
  const ClassifierShape shape =
      conv ? ClassifierShape{28 * 28, first[0], last[0], ClassifierArch::Conv, conv1[0]}
           : ClassifierShape{first[1], first[0], last[0], ClassifierArch::Mlp};
  std::shared_ptr<Classifier> classifier;
  try {
    classifier = std::make_shared<Classifier>(shape, unused);
    nn::load_state_dict(*classifier, file.tensors, /*strict=*/true);
  } catch (const Error& e) {
    throw Error("load_classifier: " + path + ": " + e.what());
  }
  classifier->eval();
  return classifier;
}

}  // namespace minidl::examples
