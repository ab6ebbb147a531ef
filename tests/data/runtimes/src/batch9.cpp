// The ninth batch's C++ program: std::terminate over an exception
// nobody caught, and libstdc++'s assertions.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

struct manifest_error : std::runtime_error {
	using std::runtime_error::runtime_error;
};

static int parse_entry(const std::string &v) {
	try {
		return std::stoi(v.substr(1));
	} catch (const std::invalid_argument &) {
		throw manifest_error("cannot load manifest entry " + v);
	}
}

static int slot(const std::string &v) {
	std::vector<int> slots(3);
	return slots[v.size() + 1];
}

int main(int argc, char **argv) {
	std::string what = argv[1], v = argv[2];
	if (what == "terminate") std::printf("%d\n", parse_entry(v));
	else if (what == "vector") std::printf("%d\n", slot(v));
	return 0;
}
