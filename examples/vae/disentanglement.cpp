#include "examples/vae/disentanglement.h"

#include <cstdio>
#include <fstream>

#include "data/png.h"

namespace minidl::examples {

namespace {

// The encoder's posteriors over `images`, in batches, without a graph.
std::pair<Tensor, Tensor> posteriors(const Vae& vae, const Tensor& images) {
  NoGradGuard no_grad;
  std::vector<Tensor> means, logvars;
  for (int64_t begin = 0; begin < images.size(0); begin += 500) {
    const int64_t n = std::min<int64_t>(500, images.size(0) - begin);
    const Vae::Posterior q = vae.encode(Variable(images.narrow(0, begin, n)));
    means.push_back(q.mu.data());
    logvars.push_back(q.logvar.data());
  }
  return {concat(means), concat(logvars)};
}

// A K x D matrix of values in [0, 1] as a grey heat map, each cell 24 pixels square.
void write_heat_map(const std::string& path, const std::vector<std::vector<double>>& values) {
  constexpr int64_t kCell = 24;
  const int64_t rows = int64_t(values.size()), cols = int64_t(values[0].size());
  Tensor image = Tensor::empty({rows * kCell, cols * kCell}, DType::Float32);
  for (int64_t y = 0; y < rows * kCell; ++y) {
    for (int64_t x = 0; x < cols * kCell; ++x) {
      const double v = values[size_t(y / kCell)][size_t(x / kCell)];
      image.data<float>()[y * cols * kCell + x] = float(std::clamp(v, 0.0, 1.0));
    }
  }
  data::write_png(path, image);
}

}  // namespace

metrics::MutualInformationGap report_disentanglement(const Vae& vae, const Tensor& images,
                                                     const Tensor& factors,
                                                     const std::vector<data::Factor>& factor_info,
                                                     ImageShape shape,
                                                     const std::filesystem::path& out,
                                                     uint64_t seed) {
  const auto [mean, logvar] = posteriors(vae, images);
  Generator gen(seed);
  const metrics::MutualInformationGap mig =
      metrics::mutual_information_gap(mean, logvar, factors, gen);
  const int64_t D = mean.size(1), K = int64_t(factor_info.size());

  std::printf("vae: mutual information gap %.3f over %lld test images (", mig.mean,
              (long long)images.size(0));
  for (int64_t k = 0; k < K; ++k) {
    std::printf("%s%s %.3f in z%lld", k ? ", " : "", factor_info[size_t(k)].name.c_str(),
                mig.gap[size_t(k)], (long long)mig.top_latent[size_t(k)]);
  }
  std::printf(")\n");

  std::ofstream csv(out / "mutual_information.csv");
  csv << "factor,entropy_nats,gap";
  for (int64_t j = 0; j < D; ++j) csv << ",z" << j;
  csv << '\n';
  std::vector<std::vector<double>> normalised;
  for (int64_t k = 0; k < K; ++k) {
    csv << factor_info[size_t(k)].name << ',' << mig.factor_entropy[size_t(k)] << ','
        << mig.gap[size_t(k)];
    normalised.emplace_back();
    for (int64_t j = 0; j < D; ++j) {
      const double info = mig.mutual_information[size_t(k)][size_t(j)];
      csv << ',' << info;
      const double h = mig.factor_entropy[size_t(k)];
      normalised.back().push_back(h > 0 ? info / h : 0.0);
    }
    csv << '\n';
  }
  csv.close();
  MINIDL_CHECK(csv, "vae: could not write " << (out / "mutual_information.csv").string());
  write_heat_map((out / "mutual_information.png").string(), normalised);

  // Traversals of the first test image's code: row j sweeps z_j over -3 .. 3.
  constexpr int64_t kColumns = 9;
  Tensor codes = Tensor::empty({D * kColumns, D}, DType::Float32);
  const Tensor base = mean.select(0, 0).contiguous();
  for (int64_t j = 0; j < D; ++j) {
    for (int64_t c = 0; c < kColumns; ++c) {
      float* row = codes.data<float>() + (j * kColumns + c) * D;
      for (int64_t i = 0; i < D; ++i) row[i] = base.data<float>()[i];
      row[j] = float(-3.0 + 6.0 * double(c) / double(kColumns - 1));
    }
  }
  NoGradGuard no_grad;
  const Tensor decoded = sigmoid(vae.decode(Variable(codes)).data());
  data::write_image_grid((out / "traversals.png").string(),
                         decoded.reshape({D * kColumns, shape.channels, shape.height, shape.width}),
                         D, kColumns);
  return mig;
}

}  // namespace minidl::examples
