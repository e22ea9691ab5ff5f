// A selection places the material's surface on a photo (SPEC section 1: shape{width,height},
// position{x,y}, scale, rotation{x,y,z,w}). K9 reads it as a rectangle in 3-D, seen through
// a pinhole camera, and maps it to the quadrilateral it covers on the photo:
//  - The rectangle is shape.width x shape.height photo pixels, times `scale`, centred on the
//    origin of its own plane (corners (+-w/2, +-h/2, 0), x right, y down, z away from the
//    viewer).
//  - `rotation` is a unit quaternion (normalised here; a zero quaternion is invalid) that turns
//    the rectangle: about z it turns in the photo's plane, about x or y it tilts away.
//  - Its centre sits at `position` (photo pixels from the top-left corner, after EXIF
//    orientation) at depth f, where f = the photo's longer side (a field of view of
//    about 53 degrees, a phone's main camera). A corner at (X, Y, Z) projects to
//    position + (X, Y) * f / (f + Z).
// The four corners come back in the order top-left, top-right, bottom-right, bottom-left of
// the rectangle; rectification maps them to a width:height rectangle. No OpenCV here.
#pragma once
#include <array>

namespace k9::vision {

struct Selection {
  double width = 0, height = 0;  // shape
  double x = 0, y = 0;           // position (centre)
  double scale = 1;
  double qx = 0, qy = 0, qz = 0, qw = 1;  // rotation
};

struct Point {
  double x = 0, y = 0;
};
using Quad = std::array<Point, 4>;

// Throws ImageError(selection_invalid) for a non-positive or non-finite size or scale, a zero
// quaternion, or a rectangle turned edge-on or behind the camera.
Quad selection_quad(const Selection& s, double image_width, double image_height);

}  // namespace k9::vision
