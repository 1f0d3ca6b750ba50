// Training curves and x-y point plots as PNGs, drawn by gnuplot (Debian's gnuplot-nox) from a
// metrics CSV written by CsvLogger: a well-kept plotting tool rather than a hand-written
// rasteriser. Plotting is a convenience, never a reason to stop training: every failure is a
// warning on stderr and a false return; when gnuplot is not installed, that is said once per
// process.
#pragma once

#include <string>
#include <vector>

namespace minidl::data {

struct PlotOptions {
  std::string x_column{};  // the horizontal axis; empty: the CSV's first column
  // Columns drawn together in each panel, panels stacked top to bottom. Empty: one panel with
  // every column but x_column.
  std::vector<std::vector<std::string>> panels{};
  std::string title{};
  int width = 900;                  // pixels
  int panel_height = 320;           // pixels per panel
  std::string gnuplot = "gnuplot";  // the program, looked up in PATH
};

// Renders csv_path into png_path (written to a temporary file and renamed, so a viewer never
// sees half a PNG). gnuplot runs directly (no shell); paths are quoted for gnuplot's own parser.
// Returns true when the PNG was written.
bool plot_training_curves(const std::string& csv_path, const std::string& png_path,
                          const PlotOptions& options = {});

// One column against another, the points joined in the CSV's row order (a curve traced by a
// swept setting, such as a VAE's rate-distortion curve), each point labelled with the values of
// `label_columns` ("beta 0.5, I(x;z) 8.91": the column's caption and its value to 3 digits).
struct PointPlotOptions {
  std::string x_column{};
  std::string y_column{};
  struct Label {
    std::string column;
    std::string caption;  // empty: the column's name
  };
  std::vector<Label> labels{};
  std::string title{};
  std::string x_label{};  // empty: the column's name
  std::string y_label{};
  int width = 900;   // pixels
  int height = 600;  // pixels
  std::string gnuplot = "gnuplot";
};

// Renders like plot_training_curves, with the same promises: atomic, no shell, failures are a
// warning and a false return. Rows whose x or y is not finite are left out by gnuplot.
bool plot_points(const std::string& csv_path, const std::string& png_path,
                 const PointPlotOptions& options);

}  // namespace minidl::data
