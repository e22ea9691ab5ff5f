// The one error the vision code throws for bad input: an image, mask or selection it cannot
// analyse. `what()` is a sentence for a person that names the problem ("the image is
// truncated (no JPEG end marker)"); `kind()` lets callers map it (all are 400-class input
// errors; none is a fault of K9).
#pragma once
#include <stdexcept>
#include <string>

namespace k9::vision {

enum class ImageErrorKind {
  empty,              // no bytes
  unsupported,        // not JPEG, PNG or WebP
  corrupt,            // a header or the data cannot be read
  truncated,          // the file ends early
  too_large,          // bytes, dimensions or pixels over the limits (decompression bomb)
  too_small,          // fewer pixels than the analysis needs
  transparent,        // the alpha channel hides every pixel
  mask_size,          // the mask's size differs from the image's
  mask_empty,         // the mask marks no material
  selection_invalid,  // a selection that describes no quadrilateral
  selection_outside,  // the selection's quadrilateral leaves the image
};

class ImageError : public std::runtime_error {
 public:
  ImageError(ImageErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ImageErrorKind kind() const { return kind_; }

 private:
  ImageErrorKind kind_;
};

}  // namespace k9::vision
