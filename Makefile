# Short forms of the set-up commands for machines that already have make (a fresh Debian does
# not: use ./minidl.sh there). CMake's own build files live in build/, so nothing here clashes.
.PHONY: run test build bench clean

run:
	./minidl.sh run

test:
	./minidl.sh test

build:
	./minidl.sh build

# The tensor benchmarks quoted in docs/benchmarks.md.
bench: build
	build/bench/bench_matmul --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
	build/bench/bench_elementwise --benchmark_repetitions=5 --benchmark_enable_random_interleaving=true
	build/bench/bench_threads --benchmark_repetitions=5

clean:
	rm -rf build
