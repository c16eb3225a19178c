// The real aws-amplify client on the reference modeling schema (tests/deploy/modeling_resource.py):
// every call of tests/reference/amplify/client-requests/modeling.md, on data that spans several
// pages (each list is followed through its nextToken).
//
//   node modeling.mjs OUTPUTS_JSON userPool all
//
// The user-pool token comes in DEV_TOKEN (`python -m appsync_data token --user NAME`). Prints one
// JSON object: a summary of what each call returned (ids, counts, values), and every error.
import { configuredClient } from './amplify_setup.mjs';

const [outputsPath, authMode] = process.argv.slice(2);
const client = configuredClient(outputsPath, authMode);
const { Blog, Post, Comment, User, Profile, Customer, Inventory } = client.models;

const errors = {};
const results = {};

// A call's data, its errors kept under `step`.
async function call(step, promise) {
  const result = (await promise) ?? { data: null, errors: [{ message: 'no record to call' }] };
  if (result.errors?.length) errors[step] = JSON.parse(JSON.stringify(result.errors));
  return result;
}

// Every page of a list call: (options) => promise of {data, nextToken}.
async function allPages(step, page) {
  const items = [];
  let nextToken = null;
  let pages = 0;
  do {
    const result = await call(`${step}#${pages}`, page(nextToken));
    items.push(...(result.data ?? []));
    nextToken = result.nextToken ?? null;
    pages += 1;
  } while (nextToken && pages < 50);
  return { items, pages };
}

async function inBatches(count, make) {
  const made = [];
  for (let start = 0; start < count; start += 10) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + 10); i += 1) batch.push(make(i));
    made.push(...(await Promise.all(batch)));
  }
  return made;
}

// --- seed: two blogs, 33 posts (30 in category news), 133 comments, a user with a profile ---------
const blog = (await call('createBlog', Blog.create({ name: 'first' }))).data;
const otherBlog = (await call('createBlog2', Blog.create({ name: 'second' }))).data;
const posts = await inBatches(33, async (i) => {
  const input = {
    title: `post ${String(i).padStart(2, '0')}`,
    blogId: i < 20 ? blog.id : otherBlog.id,
    category: i < 30 ? 'news' : 'sports',
    rating: (i % 5) + 1,
  };
  return (await call(`createPost${i}`, Post.create(input))).data;
});
const [post, secondPost] = posts;
await inBatches(130, (i) =>
  call(`createComment${i}`, Comment.create({ content: `c${i}`, postId: post.id })),
);
await inBatches(3, (i) =>
  call(`createComment2-${i}`, Comment.create({ content: `d${i}`, postId: secondPost.id })),
);
const user = (await call('createUser', User.create({ name: 'alice' }))).data;
const profile = (await call('createProfile', Profile.create({ bio: 'hi', userId: user.id }))).data;
results.seeded = { blog: blog.id, otherBlog: otherBlog.id, post: post.id, user: user.id };

// --- index queries ---------------------------------------------------------------------------------
const byCategory = await allPages('listPostsByCategory', (nextToken) =>
  Post.listPostsByCategory(
    { category: 'news', rating: { gt: 3 } },
    { sortDirection: 'DESC', limit: 10, nextToken },
  ),
);
results.listPostsByCategory = {
  pages: byCategory.pages,
  ratings: byCategory.items.map((p) => p.rating),
  categories: [...new Set(byCategory.items.map((p) => p.category))],
  ids: byCategory.items.map((p) => p.id),
};

await inBatches(15, (i) =>
  call(
    `createCustomer${i}`,
    Customer.create({
      customerId: `c-${String(i).padStart(2, '0')}`,
      name: `customer ${i}`,
      accountRepresentativeId: i < 12 ? 'r-1' : 'r-2',
    }),
  ),
);
const byRep = await allPages('listCustomerByAccountRepresentativeId', (nextToken) =>
  Customer.listCustomerByAccountRepresentativeId(
    { accountRepresentativeId: 'r-1' },
    { limit: 5, nextToken },
  ),
);
results.listCustomerByAccountRepresentativeId = {
  pages: byRep.pages,
  ids: byRep.items.map((c) => c.customerId).sort(),
};

// --- custom identifier CRUD ------------------------------------------------------------------------
results.getCustomer = (await call('getCustomer', Customer.get({ customerId: 'c-01' }))).data;
results.createCustomer = (
  await call(
    'createCustomer',
    Customer.create({ customerId: 'c-x', name: 'x', accountRepresentativeId: 'r-1' }),
  )
).data;
results.updateCustomer = (
  await call('updateCustomer', Customer.update({ customerId: 'c-x', name: 'y' }))
).data;
results.deleteCustomer = (await call('deleteCustomer', Customer.delete({ customerId: 'c-x' }))).data;
results.getDeletedCustomer = (
  await call('getDeletedCustomer', Customer.get({ customerId: 'c-x' }))
).data;
results.listCustomers = (
  await call('listCustomers', Customer.list({ customerId: 'c-01' }))
).data?.map((c) => c.customerId);
// The reference call adds sortDirection; Amplify's resolver refuses it (no sort key), as we do.
const sorted = await Customer.list({ customerId: 'c-01', sortDirection: 'ASC' });
results.listCustomersSorted = JSON.parse(JSON.stringify(sorted.errors ?? []));

// --- composite identifier CRUD ---------------------------------------------------------------------
await inBatches(12, (i) =>
  call(
    `createInventory${i}`,
    Inventory.create({ warehouseId: 'w-1', productId: `p-${String(i).padStart(2, '0')}`, quantity: i }),
  ),
);
await call('createInventoryQ', Inventory.create({ warehouseId: 'w-1', productId: 'q-1', quantity: 1 }));
await call('createInventoryW2', Inventory.create({ warehouseId: 'w-2', productId: 'p-00', quantity: 1 }));
const inWarehouse = await allPages('listInventories', (nextToken) =>
  Inventory.list({ warehouseId: 'w-1', productId: { beginsWith: 'p' }, limit: 5, nextToken }),
);
results.listInventories = {
  pages: inWarehouse.pages,
  keys: inWarehouse.items.map((i) => `${i.warehouseId}/${i.productId}`),
};
const descending = await call(
  'listInventoriesDesc',
  Inventory.list({ warehouseId: 'w-1', sortDirection: 'DESC', limit: 2 }),
);
results.listInventoriesDesc = descending.data?.map((i) => i.productId);
results.getInventory = (
  await call('getInventory', Inventory.get({ warehouseId: 'w-1', productId: 'p-01' }))
).data;
results.updateInventory = (
  await call('updateInventory', Inventory.update({ warehouseId: 'w-1', productId: 'p-01', quantity: 3 }))
).data;
results.deleteInventory = (
  await call('deleteInventory', Inventory.delete({ warehouseId: 'w-1', productId: 'p-01' }))
).data;
results.getDeletedInventory = (
  await call('getDeletedInventory', Inventory.get({ warehouseId: 'w-1', productId: 'p-01' }))
).data;

// --- lazy loading ----------------------------------------------------------------------------------
const loadedPost = (await call('getPost', Post.get({ id: post.id }))).data;
const comments = await allPages('post.comments', (nextToken) =>
  loadedPost?.comments({ nextToken }),
);
results.postComments = {
  pages: comments.pages,
  count: comments.items.length,
  distinct: new Set(comments.items.map((c) => c.id)).size,
  postIds: [...new Set(comments.items.map((c) => c.postId))],
};
const secondComments = await call('secondPost.comments', posts[1].comments());
results.secondPostComments = secondComments.data?.map((c) => c.content).sort();
results.postBlog = (await call('post.blog', loadedPost?.blog())).data;
const loadedUser = (await call('getUser', User.get({ id: user.id }))).data;
results.userProfile = (await call('user.profile', loadedUser?.profile())).data;
results.profileUser = (await call('profile.user', profile.user())).data;

// --- nested selection sets -------------------------------------------------------------------------
const nested = (
  await call(
    'getBlogNested',
    Blog.get({ id: blog.id }, { selectionSet: ['id', 'name', 'posts.*', 'posts.comments.*'] }),
  )
).data;
results.getBlogNested = {
  name: nested?.name,
  posts: nested?.posts?.length,
  comments: Object.fromEntries((nested?.posts ?? []).map((p) => [p.id, p.comments?.length])),
};
const listed = await call('listBlogsNested', Blog.list({ selectionSet: ['name', 'posts.title'] }));
results.listBlogsNested = Object.fromEntries(
  (listed.data ?? []).map((b) => [b.name, b.posts?.map((p) => p.title).sort()]),
);

process.stdout.write(JSON.stringify({ results, errors }) + '\n');
