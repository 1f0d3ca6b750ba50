// The `shapes` program: a generated data set written as an image folder the trainers' --data
// folder and data::ImageFolder read back, with every file's factors.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "data/image_folder.h"
#include "data/shapes.h"
#include "program_run.h"

using namespace minidl;
using namespace minidl::testing;
namespace fs = std::filesystem;

TEST(ShapesProgram, WritesAFolderWhoseImagesAndFactorsAgree) {
  const fs::path dir = fresh_test_dir("shapes");
  const fs::path out = dir / "color-shapes";
  ProgramRun r = run_program(example_program("shapes"),
                             "--data color-shapes --count 120 --seed 4 --out " + out.string() +
                                 " --preview " + (dir / "preview.png").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir / "preview.png"));
  // Read back as a labelled image folder: 120 RGB images, classes "<shape>-<colour>".
  data::ImageFolder folder(out.string(), {.image = {.channels = 3, .height = 64, .width = 64}});
  ASSERT_EQ(folder.size(), 120);
  for (const std::string& name : folder.class_names()) {
    EXPECT_NE(name.find('-'), std::string::npos) << name;
  }
  // factors.csv: each file's factors re-render to exactly its pixels.
  std::ifstream csv(out / "factors.csv");
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "file,color,shape,scale,orientation,x,y");
  const data::Shapes shapes(data::ShapesKind::ColorShapes);
  int rows = 0;
  while (std::getline(csv, line)) {
    std::vector<std::string> cells;
    for (size_t start = 0;;) {
      const size_t comma = line.find(',', start);
      cells.push_back(line.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    ASSERT_EQ(cells.size(), 7u) << line;
    std::vector<int64_t> factors;
    for (size_t k = 1; k < cells.size(); ++k) factors.push_back(std::stoll(cells[k]));
    std::vector<uint8_t> expected(3 * 64 * 64);
    shapes.render(factors, expected.data());
    const auto& files = folder.files();
    const auto it = std::find(files.begin(), files.end(), (out / cells[0]).string());
    ASSERT_NE(it, files.end()) << cells[0];
    const data::Batch b = folder.get_batch(std::vector<int64_t>{int64_t(it - files.begin())});
    for (int64_t p = 0; p < 3 * 64 * 64; ++p) {
      ASSERT_EQ(b.inputs.data<float>()[p], float(expected[size_t(p)]) / 255.0f) << cells[0];
    }
    ++rows;
  }
  EXPECT_EQ(rows, 120);
}

TEST(ShapesProgram, KeepsAnExistingFolderUnlessToldToOverwrite) {
  const fs::path dir = fresh_test_dir("shapes-existing");
  const fs::path out = dir / "sprites";
  fs::create_directories(out);
  std::ofstream(out / "mine.txt") << "keep me";
  ProgramRun refused = run_program(example_program("shapes"), "--count 5 --out " + out.string());
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("--overwrite"), std::string::npos) << refused.output;
  EXPECT_TRUE(fs::exists(out / "mine.txt"));
  ProgramRun replaced =
      run_program(example_program("shapes"), "--count 5 --overwrite --out " + out.string());
  ASSERT_EQ(replaced.exit_code, 0) << replaced.output;
  EXPECT_FALSE(fs::exists(out / "mine.txt"));
  EXPECT_TRUE(fs::exists(out / "factors.csv"));
  for (const auto& entry : fs::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().string().find(".partial-"), std::string::npos) << entry.path();
  }
}
