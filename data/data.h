// Everything in data/ in one include: data sets, the DataLoader, and files in and out.
#pragma once

#include "data/csv_logger.h"
#include "data/dataloader.h"
#include "data/dataset.h"
#include "data/fashion_mnist.h"
#include "data/idx.h"
#include "data/image_decode.h"
#include "data/image_folder.h"
#include "data/npy.h"
#include "data/pixels.h"
#include "data/plot.h"
#include "data/png.h"
#include "data/shapes.h"
