// The tenth batch's C++ program: a Boost exception with error_info,
// thrown with BOOST_THROW_EXCEPTION and printed with
// diagnostic_information.
#include <boost/exception/all.hpp>
#include <boost/throw_exception.hpp>
#include <iostream>
#include <stdexcept>
#include <string>

struct voucher_error : std::runtime_error, virtual boost::exception {
	explicit voucher_error(const std::string &what) : std::runtime_error(what) {}
};
typedef boost::error_info<struct tag_code, std::string> voucher_code;
typedef boost::error_info<struct tag_attempt, int> attempt;

static void check_code(const std::string &code)
{
	BOOST_THROW_EXCEPTION(voucher_error("cannot redeem voucher") << voucher_code(code) << attempt(3));
}

int main(int argc, char **argv)
{
	(void) argc;
	try {
		check_code(argv[2]);
	} catch (const boost::exception &e) {
		std::cerr << "redeem failed: " << boost::diagnostic_information(e);
		return 1;
	}
	return 0;
}
