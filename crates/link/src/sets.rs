//! Disjoint sets (union-find) whose sets are named by their earliest member.

/// Union by smallest element, with path halving. Each set's root is its smallest element,
/// so a set's name never changes when later elements join it: networks and
/// template clusters keep their ids as new batches arrive.
#[derive(Debug, Clone)]
pub struct DisjointSets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl DisjointSets {
    pub fn new(len: usize) -> Self {
        DisjointSets {
            parent: (0..len as u32).collect(),
            size: vec![1; len],
        }
    }

    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    /// Joins the sets of `a` and `b`; false when they were already one.
    pub fn union(&mut self, a: u32, b: u32) -> bool {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return false;
        }
        // The smaller element stays root so that names are stable. Without
        // union by size trees can grow deeper, but path halving keeps finds
        // short; sizes are kept for callers that weigh sets.
        let (root, child) = if a < b { (a, b) } else { (b, a) };
        self.parent[child as usize] = root;
        self.size[root as usize] += self.size[child as usize];
        true
    }

    /// Elements in the set of `x`.
    #[cfg(test)]
    pub fn size_of(&mut self, x: u32) -> u32 {
        let root = self.find(x);
        self.size[root as usize]
    }

    /// Each element's set, named by its smallest element.
    pub fn labels(&mut self) -> Vec<u32> {
        (0..self.parent.len() as u32)
            .map(|x| self.find(x))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_named_by_their_smallest_member() {
        let mut sets = DisjointSets::new(6);
        assert!(sets.union(4, 2));
        assert!(sets.union(5, 4));
        assert!(!sets.union(2, 5));
        assert!(sets.union(3, 1));
        assert_eq!(sets.labels(), vec![0, 1, 2, 1, 2, 2]);
        assert_eq!(sets.size_of(5), 3);
        assert_eq!(sets.size_of(0), 1);
    }
}
