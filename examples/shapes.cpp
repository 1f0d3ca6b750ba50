// shapes: writes a generated data set with known factors (data/shapes.h) as an image folder, for
// the trainers' --data folder, other tools, or a look.
//
//   build/examples/shapes --data dsprites --count 20000 --out data/dsprites
//   build/examples/shapes --data color-shapes --count 20000 --out data/color-shapes
//
// The folder has torchvision's ImageFolder layout: <out>/<class>/<index>.png, the class being the
// shape (dsprites) or the shape and colour ("heart-blue", color-shapes); <out>/factors.csv gives
// every file's factor values (value indices, dSprites' order); --preview FILE draws the first 64
// images as a grid. Images are drawn uniformly from every combination of the factors (--seed).
// The folder is written under a temporary name and renamed when complete, so an interrupted run
// leaves no half folder, and an existing --out is replaced only with --overwrite.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "data/data.h"
#include "examples/common/program.h"

using namespace minidl;
using namespace minidl::examples;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::string data_name = "dsprites", out, preview;
  int64_t count = 20000;
  uint64_t seed = 1;
  bool overwrite = false;
  CLI::App app{"Write dSprites or color-shapes (generated images with known factors) as a folder.",
               "shapes"};
  app.add_option("--data", data_name, "dsprites (64x64 grey) or color-shapes (64x64 RGB)")
      ->check(CLI::IsMember({"dsprites", "color-shapes"}))
      ->capture_default_str();
  app.add_option("--count", count, "Images to write")
      ->check(CLI::Range(int64_t(1), int64_t(10000000)))
      ->capture_default_str();
  app.add_option("--seed", seed, "Seed of the draw")->capture_default_str();
  app.add_option("--out", out, "Folder to write (default: data/<data set>)");
  app.add_flag("--overwrite", overwrite, "Replace --out if it exists");
  app.add_option("--preview", preview, "PNG file for a grid of the first 64 images");
  if (int code = parse_flags(app, argc, argv); code >= 0) return code;
  if (out.empty()) out = "data/" + data_name;

  return run_program("shapes", [&] {
    const fs::path target(out);
    if (fs::exists(target) && !overwrite) {
      throw UsageError(out + " exists: choose another --out, or --overwrite to replace it");
    }
    const data::Shapes shapes(data::parse_shapes_kind(data_name));
    const fs::path partial = target.string() + ".partial-" + std::to_string(getpid());
    fs::remove_all(partial);
    fs::create_directories(partial);

    // Render in blocks, so memory stays small whatever --count.
    std::ofstream factors_csv(partial / "factors.csv");
    factors_csv << "file";
    for (const data::Factor& f : shapes.factors()) factors_csv << ',' << f.name;
    factors_csv << '\n';
    const std::vector<data::Factor>& factors = shapes.factors();
    const bool colored = shapes.kind() == data::ShapesKind::ColorShapes;
    const size_t shape_factor = colored ? 1 : 0;
    Generator draws(seed);
    const Tensor indices = randint(0, shapes.size(), {count}, draws);
    const int64_t* index = indices.data<int64_t>();
    for (int64_t begin = 0; begin < count; begin += 1000) {
      const int64_t n = std::min<int64_t>(1000, count - begin);
      const data::FactorImages block =
          shapes.images(std::vector<int64_t>(index + begin, index + begin + n));
      const Tensor images = block.images.reshape({n, shapes.channels(), 64, 64});
      if (begin == 0 && !preview.empty()) data::write_image_grid(preview, images, 8, 8);
      for (int64_t i = 0; i < n; ++i) {
        const int64_t* f = block.factors.data<int64_t>() + i * int64_t(factors.size());
        std::string label = factors[shape_factor].value_names[size_t(f[shape_factor])];
        if (colored) label += "-" + factors[0].value_names[size_t(f[0])];
        char name[32];
        std::snprintf(name, sizeof name, "%07lld.png", (long long)(begin + i));
        fs::create_directories(partial / label);
        data::write_png((partial / label / name).string(), images.select(0, i));
        factors_csv << label << '/' << name;
        for (size_t k = 0; k < factors.size(); ++k) factors_csv << ',' << f[k];
        factors_csv << '\n';
      }
    }
    factors_csv.close();
    MINIDL_CHECK(factors_csv, "shapes: could not write " << (partial / "factors.csv").string());
    if (fs::exists(target)) fs::remove_all(target);
    fs::rename(partial, target);
    std::printf("shapes: wrote %lld %s images (%lld x 64 x 64) to %s, factors in factors.csv\n",
                (long long)count, data_name.c_str(), (long long)shapes.channels(), out.c_str());
    return 0;
  });
}
