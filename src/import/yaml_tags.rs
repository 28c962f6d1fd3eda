//! The tags of a YAML text, read from libyaml's events: serde_yaml_ng resolves the core tags
//! (`!!str`, `!!int`, ...) and passes local ones (`!Ref`) on, but drops every other tag
//! (`!!binary`, `!!timestamp`, `!!python/...`, `!<tag:...>`) without a word.

use std::ffi::CStr;
use std::mem::MaybeUninit;

use unsafe_libyaml as unsafe_sys;

/// A tag, where its node starts (a byte offset) and its name as libyaml resolved it:
/// `tag:yaml.org,2002:binary` for `!!binary`, `!Ref` for `!Ref`.
pub struct NodeTag {
    pub offset: usize,
    pub tag: String,
}

/// Every tag of `text`, in order. Reading stops at the first error: the text was parsed
/// successfully before, so there is none.
pub fn tags(text: &str) -> Vec<NodeTag> {
    let mut found = Vec::new();
    let mut parser = MaybeUninit::<unsafe_sys::yaml_parser_t>::uninit();
    // SAFETY: the parser is initialized before use and deleted once; the input outlives it;
    // each event is read only between a successful parse and its deletion, and its tag is a
    // NUL-terminated string libyaml owns until then.
    unsafe {
        let parser = parser.as_mut_ptr();
        if unsafe_sys::yaml_parser_initialize(parser).fail {
            return found;
        }
        unsafe_sys::yaml_parser_set_encoding(parser, unsafe_sys::YAML_UTF8_ENCODING);
        unsafe_sys::yaml_parser_set_input_string(parser, text.as_ptr(), text.len() as u64);
        loop {
            let mut event = MaybeUninit::<unsafe_sys::yaml_event_t>::uninit();
            let event = event.as_mut_ptr();
            if unsafe_sys::yaml_parser_parse(parser, event).fail {
                break;
            }
            let tag = match (*event).type_ {
                unsafe_sys::YAML_SCALAR_EVENT => (*event).data.scalar.tag,
                unsafe_sys::YAML_SEQUENCE_START_EVENT => (*event).data.sequence_start.tag,
                unsafe_sys::YAML_MAPPING_START_EVENT => (*event).data.mapping_start.tag,
                _ => std::ptr::null_mut(),
            };
            if !tag.is_null() {
                found.push(NodeTag {
                    offset: (*event).start_mark.index as usize,
                    tag: CStr::from_ptr(tag.cast()).to_string_lossy().into_owned(),
                });
            }
            let is_end = (*event).type_ == unsafe_sys::YAML_STREAM_END_EVENT;
            unsafe_sys::yaml_event_delete(event);
            if is_end {
                break;
            }
        }
        unsafe_sys::yaml_parser_delete(parser);
    }
    found
}
