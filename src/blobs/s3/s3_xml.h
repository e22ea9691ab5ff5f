// Just enough XML for S3's answers (ListObjectsV2, CreateMultipartUpload, errors): the text of
// elements by tag name, entities decoded. S3's documents are flat, machine-written and have
// no attributes or CDATA on the elements read here, so no general parser is needed.
//
// Contract: xml_elements() answers the inner text of every <tag>...</tag> in document order
// (a tag with attributes, <tag a="..">, counts too); xml_text() the first one or "". Text is
// entity-decoded (&amp; &lt; &gt; &quot; &apos; &#N; &#xN;). Malformed input never throws:
// an unclosed element is simply not answered.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace k9::blobs::s3 {

std::vector<std::string> xml_elements(std::string_view xml, std::string_view tag);
std::string xml_text(std::string_view xml, std::string_view tag);
// As xml_elements(), without decoding: the inner XML of container elements (<Contents>).
std::vector<std::string> xml_blocks(std::string_view xml, std::string_view tag);
std::string xml_escape(std::string_view text);
std::string xml_unescape(std::string_view text);

}  // namespace k9::blobs::s3
