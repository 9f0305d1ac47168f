//! A tiny, explicit little-endian binary format for aggregate states crossing parallel
//! workers (`serialfunc`/`deserialfunc`). Every state starts with a one-byte tag and a
//! format version so a state from another aggregate or version is rejected, not misread.

use crate::error::{OpsError, OpsResult};

/// Appends fixed-width values to a byte buffer.
#[derive(Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// Starts a state of kind `tag` (one per aggregate) in format `version`. Tag 0xFF is
    /// reserved: the extension's hand-over tokens start with it (`pg::agg::hand_over`).
    pub fn new(tag: u8, version: u8) -> Self {
        debug_assert_ne!(tag, 0xff, "tag 0xFF is reserved for hand-over tokens");
        let mut w = Writer {
            buf: Vec::with_capacity(64),
        };
        w.buf.push(tag);
        w.buf.push(version);
        w
    }
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn i32(&mut self, v: i32) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn f64(&mut self, v: f64) -> &mut Self {
        self.buf.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn len(&mut self, n: usize) -> &mut Self {
        self.u64(n as u64)
    }
    pub fn bytes(&mut self, v: &[u8]) -> &mut Self {
        self.len(v.len());
        self.buf.extend_from_slice(v);
        self
    }
    pub fn str(&mut self, v: &str) -> &mut Self {
        self.bytes(v.as_bytes())
    }
    /// Appends bytes as they are (no length prefix): a part already encoded by a `Writer`.
    pub fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(v);
        self
    }
    pub fn f64s(&mut self, v: &[f64]) -> &mut Self {
        self.len(v.len());
        for x in v {
            self.f64(*x);
        }
        self
    }
    /// Makes room for `n` more bytes (one allocation for a large state).
    pub fn reserve(&mut self, n: usize) -> &mut Self {
        self.buf.reserve(n);
        self
    }
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads what [`Writer`] wrote; every read is bounds-checked.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Checks the tag and version written by [`Writer::new`].
    pub fn new(buf: &'a [u8], tag: u8, version: u8) -> OpsResult<Self> {
        let mut r = Reader { buf, pos: 0 };
        let (t, v) = (r.u8()?, r.u8()?);
        if t != tag || v != version {
            return Err(OpsError::malformed(format!(
                "aggregate state has tag {t} version {v}, expected tag {tag} version {version}"
            )));
        }
        Ok(r)
    }
    fn take(&mut self, n: usize) -> OpsResult<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| {
                OpsError::malformed(format!("aggregate state truncated at byte {}", self.pos))
            })?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    /// How many bytes have been read.
    pub fn position(&self) -> usize {
        self.pos
    }
    /// The bytes read from position `from` to here.
    pub fn since(&self, from: usize) -> &'a [u8] {
        &self.buf[from.min(self.pos)..self.pos]
    }
    /// The next `n` bytes as they are (one bounds check for a block of fixed-width values).
    pub fn fixed(&mut self, n: usize) -> OpsResult<&'a [u8]> {
        self.take(n)
    }
    pub fn u8(&mut self) -> OpsResult<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn u32(&mut self) -> OpsResult<u32> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    pub fn i32(&mut self) -> OpsResult<i32> {
        Ok(i32::from_le_bytes(self.take(4)?.try_into().unwrap()))
    }
    pub fn u64(&mut self) -> OpsResult<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    pub fn i64(&mut self) -> OpsResult<i64> {
        Ok(i64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    pub fn f64(&mut self) -> OpsResult<f64> {
        Ok(f64::from_le_bytes(self.take(8)?.try_into().unwrap()))
    }
    /// A length prefix, checked against the bytes left (each element needs at least
    /// `min_elem_size` bytes) so a corrupt length cannot trigger a huge allocation.
    pub fn len(&mut self, min_elem_size: usize) -> OpsResult<usize> {
        let n = self.u64()?;
        let left = (self.buf.len() - self.pos) as u64;
        if n.saturating_mul(min_elem_size.max(1) as u64) > left {
            return Err(OpsError::malformed(format!(
                "aggregate state claims {n} elements but only {left} bytes remain"
            )));
        }
        Ok(n as usize)
    }
    pub fn bytes(&mut self) -> OpsResult<&'a [u8]> {
        let n = self.len(1)?;
        self.take(n)
    }
    pub fn str(&mut self) -> OpsResult<String> {
        self.str_ref().map(str::to_string)
    }
    /// A string where it lies in the buffer (no copy).
    pub fn str_ref(&mut self) -> OpsResult<&'a str> {
        let b = self.bytes()?;
        std::str::from_utf8(b)
            .map_err(|_| OpsError::malformed("aggregate state holds invalid UTF-8"))
    }
    pub fn f64s(&mut self) -> OpsResult<Vec<f64>> {
        let n = self.len(8)?;
        (0..n).map(|_| self.f64()).collect()
    }
    /// Fails unless every byte was consumed.
    pub fn finish(self) -> OpsResult<()> {
        if self.pos == self.buf.len() {
            Ok(())
        } else {
            Err(OpsError::malformed(format!(
                "aggregate state has {} trailing bytes",
                self.buf.len() - self.pos
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut w = Writer::new(7, 1);
        w.u8(3)
            .u32(70000)
            .i32(-70000)
            .u64(1 << 40)
            .i64(-5)
            .f64(2.5)
            .str("héllo")
            .f64s(&[1.0, -0.5]);
        let bytes = w.finish();
        let mut r = Reader::new(&bytes, 7, 1).unwrap();
        assert_eq!(r.u8().unwrap(), 3);
        assert_eq!(r.u32().unwrap(), 70000);
        assert_eq!(r.i32().unwrap(), -70000);
        assert_eq!(r.u64().unwrap(), 1 << 40);
        assert_eq!(r.i64().unwrap(), -5);
        assert_eq!(r.f64().unwrap(), 2.5);
        assert_eq!(r.str().unwrap(), "héllo");
        assert_eq!(r.f64s().unwrap(), vec![1.0, -0.5]);
        r.finish().unwrap();
    }

    #[test]
    fn rejects_wrong_tag_truncation_and_huge_lengths() {
        let bytes = Writer::new(7, 1).finish();
        assert!(Reader::new(&bytes, 8, 1).is_err());
        assert!(Reader::new(&bytes, 7, 2).is_err());
        assert!(Reader::new(&[7], 7, 1).is_err());
        let mut w = Writer::new(7, 1);
        w.u64(u64::MAX);
        let bytes = w.finish();
        let mut r = Reader::new(&bytes, 7, 1).unwrap();
        assert!(r.f64s().is_err());
        let mut w = Writer::new(7, 1);
        w.u8(1);
        let bytes = w.finish();
        assert!(Reader::new(&bytes, 7, 1).unwrap().finish().is_err());
    }
}
