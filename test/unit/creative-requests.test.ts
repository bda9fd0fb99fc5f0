import { creativeRequests, type CreativeStep } from '../../src/activities/creative-requests';
import type { ServiceRequest } from '../../src/activities/requests';
import { FLOWS } from '../../src/flows/catalog';

const INPUTS: { [S in CreativeStep]: Parameters<(typeof creativeRequests)[S]>[0] } = {
  video_upload: { source_url: 'https://drive.example/a.mp4', duration_seconds: 12 },
  scene_extraction: { video_id: 'v1' },
  ctr_prediction: { video_id: 'v1', ad_id: 'ad_1' },
  council_evaluation: { video_id: 'v1', predicted_ctr: 0.02 },
  video_rendering: { blueprint_id: 'b1', source_video_id: 'v1' },
  meta_queue: { ad_account_id: 'act_1', ad_set_id: 'adset_1', change_type: 'create_ad', payload: {} },
};

test('the creative request builders are its catalog steps, in order, each calling the service its step names', () => {
  const creative = FLOWS['creative-flow'];
  expect(Object.keys(creativeRequests)).toEqual([...creative.steps]);
  for (const def of creative.definitions) {
    const step = def.name as CreativeStep;
    const build = creativeRequests[step] as (input: unknown) => ServiceRequest<unknown>;
    const request = build(INPUTS[step]);
    expect({ step, service: request.service }).toEqual({ step, service: def.services[0] });
    expect(request.path.startsWith('/')).toBe(true);
  }
});
