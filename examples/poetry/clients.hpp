// poetry/clients: the Get Poetry Now! client styles (client_<style>.cpp). Each
// downloads every planned poem, reports each with its Download, and returns
// the total time for "Got N poems in T": the sum of the downloads for the
// blocking style (as the seed adds them up), the wall time for the others.
#pragma once

#include <vector>

#include "poetry/download.hpp"

namespace poetry {

double get_poetry_blocking(std::vector<Download>& downloads);
double get_poetry_selectors(std::vector<Download>& downloads);
double get_poetry_loop(std::vector<Download>& downloads);
double get_poetry_protocol(std::vector<Download>& downloads);

}  // namespace poetry
