//! Bridge to the kernel crate: the few kernels the evaluation calls, by one name each.
//! TEMPORARY scalar stand-ins until superposition-kernels lands.
#![allow(dead_code)]

pub fn accumulate_columns_u8(matrix: &[u8], rows: usize, columns: &[(u32, i32)], out: &mut [i32]) {
    for &(c, m) in columns {
        let col = &matrix[c as usize * rows..(c as usize + 1) * rows];
        for (o, &v) in out.iter_mut().zip(col) {
            *o = o.wrapping_add(m.wrapping_mul(i32::from(v)));
        }
    }
}
pub fn accumulate_columns_u16(matrix: &[u16], rows: usize, columns: &[(u32, i32)], out: &mut [i32]) {
    for &(c, m) in columns {
        let col = &matrix[c as usize * rows..(c as usize + 1) * rows];
        for (o, &v) in out.iter_mut().zip(col) {
            *o = o.wrapping_add(m.wrapping_mul(i32::from(v)));
        }
    }
}
pub fn threshold_affine_to_bitset(
    acc: &[i32],
    mul: i32,
    coef: &[i32],
    scale: i32,
    threshold: i32,
    out: &mut [u64],
) -> usize {
    out.iter_mut().for_each(|w| *w = 0);
    let mut n = 0;
    for r in 0..acc.len() {
        if i64::from(acc[r]) * i64::from(mul) - i64::from(coef[r]) * i64::from(scale) >= i64::from(threshold) {
            out[r / 64] |= 1 << (r % 64);
            n += 1;
        }
    }
    n
}
pub fn relu_affine(acc: &[i32], mul: i32, coef: &[i32], scale: i32, bias: i64, out: &mut [i64]) {
    for r in 0..acc.len() {
        out[r] = (i64::from(acc[r]) * i64::from(mul) - i64::from(coef[r]) * i64::from(scale) + bias).max(0);
    }
}
pub fn bitset_ones(bits: &[u64], out: &mut Vec<u32>) {
    for (w, &word) in bits.iter().enumerate() {
        let mut x = word;
        while x != 0 {
            out.push((w * 64) as u32 + x.trailing_zeros());
            x &= x - 1;
        }
    }
}
pub fn count_votes_gather(codes: &[u32], t: usize, bits: &[u64], out: &mut [u16]) {
    for (j, o) in out.iter_mut().enumerate() {
        *o = codes[j * t..(j + 1) * t]
            .iter()
            .filter(|&&r| bits[r as usize / 64] >> (r % 64) & 1 == 1)
            .count() as u16;
    }
}
pub fn count_covered_subsets(sets: &[u64], words: usize, mask: &[u64]) -> usize {
    sets.chunks_exact(words)
        .filter(|s| s.iter().zip(mask).all(|(a, b)| a & !b == 0))
        .count()
}
